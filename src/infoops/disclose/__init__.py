"""infoops.disclose"""
