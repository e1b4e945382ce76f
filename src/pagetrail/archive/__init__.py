"""pagetrail.archive"""
