"""The Camb.ai side of dubsubs: everything that knows the API or talks HTTP.

- :mod:`.api`: the API's constants (base URL, variables, bulk bounds), no HTTP;
- :mod:`.results`: the shapes of its dub results, read into raw transcripts;
- :mod:`.redact`: the one place that makes URLs and text safe to show;
- :mod:`.client`: endpoints in, plain dicts out, typed errors;
- :mod:`.download`: resumable, verified media downloads;
- :mod:`.fetch`: run ids in, a folder per run out;
- :mod:`.altformat`, :mod:`.tts`: the two other downloads;
- :mod:`.sandbox`: a local stand-in of the API for tests and trials.

Nothing imported by this ``__init__`` may load the HTTP library: ``dubsubs --help`` and
``convert`` start without it.
"""
