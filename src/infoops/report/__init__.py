"""infoops.report"""
