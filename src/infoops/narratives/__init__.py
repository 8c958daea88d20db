"""infoops.narratives"""
