"""The publishing policy for extracted quotes, shared by the importer and ``make eval``.

``confidence`` on an ``ExtractedQuote`` is calibrated: on the development corpus, quotes
at or above a confidence have had the right speaker (or rightly none) at least that often.
A quote below ``DEFAULT_PUBLISH_MIN_CONFIDENCE`` is stored without a speaker, waits for
an editor, and stays out of every public view. The value is chosen from the calibration
table that ``make eval`` prints (see the README); ``NEWSROOM_PUBLISH_MIN_CONFIDENCE``
overrides it per installation.

0.98 is the smallest threshold whose published quotes had the right speaker (or rightly
none) at least 98% of the time on the development corpus, measured out of fold by
``bench/train_calibration.py`` (precision 0.983; a fifth of the quotes publish
unreviewed, the rest wait for an editor with the extractor's suggestion). Most of what it
still counts as wrong there are quirks of the corpus's labels (people marked as
organisations, sources annotated as "said"), not wrong names.
"""

DEFAULT_PUBLISH_MIN_CONFIDENCE = 0.98
