"""pagetrail.example"""
