"""Monolith-style short-video recommender on stock TensorFlow / Keras 3 (plain Python).

* :mod:`.simulate` - a short-video world (creators, hashtags, loops, quick skips, likes,
  time-ordered events) written as CSV files that ``manage.py evaluate_recs`` reads.
* :mod:`.table` - Monolith's collisionless embedding table: id -> row map with a free list
  over a fixed-capacity array, a frequency filter and expiry (numpy; the Keras model trains
  the rows it hands out).
* :mod:`.features` - popularity windows, age, creator and hashtag statistics, viewer
  history: the ranker's features, computed with numpy only.
* :mod:`.ranker` - the Keras 3 ranking model (imports TensorFlow; workers and commands
  only) and its numpy scorer (what web processes load).

Nothing here imports Django; nothing outside ``ranker.train`` imports TensorFlow.
"""
