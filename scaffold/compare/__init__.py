"""`scaffold compare`: the same stage in Flask and in Django, side by side."""
