"""The publishing policy for extracted quotes, shared by the importer and ``make eval``.

``confidence`` on an ``ExtractedQuote`` is calibrated: on the development corpus, quotes
at or above a confidence have had the right speaker (or rightly none) at least that often.
A quote below ``DEFAULT_PUBLISH_MIN_CONFIDENCE`` is stored without a speaker, waits for
an editor, and stays out of every public view. The value is chosen from the calibration
table that ``make eval`` prints (see the README); ``NEWSROOM_PUBLISH_MIN_CONFIDENCE``
overrides it per installation.
"""

DEFAULT_PUBLISH_MIN_CONFIDENCE = 0.5
