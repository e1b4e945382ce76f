"""pagetrail.commands"""
