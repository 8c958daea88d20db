"""infoops.detect"""
