"""The dwelling register: every letterbox of the perimeter, its import and export."""
