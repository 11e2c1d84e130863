"""Reading what real exports contain, and locating what is wrong with them.

Pure Python: no Django import, so the command line can use it without a database.
"""
