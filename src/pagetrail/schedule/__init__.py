"""pagetrail.schedule"""
