"""pagetrail.report"""
