"""infoops.review"""
