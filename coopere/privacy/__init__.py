"""Personal-data rights: the register of processing, access and portability, erasure, retention."""
