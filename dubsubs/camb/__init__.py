"""The Camb.ai side of dubsubs: the shapes of its dub results (:mod:`.results`).

Nothing imported here may load the HTTP library: ``dubsubs --help`` and ``convert`` start
without it.
"""
