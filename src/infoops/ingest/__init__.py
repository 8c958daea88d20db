"""infoops.ingest"""
