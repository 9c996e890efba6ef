"""The recommender's numerical code: plain Python and numpy, importable without Django.

The Django app around it (``recommendations.dataset``, ``registry``, ``services``,
``selectors``) turns database rows into :class:`~recommendations.engine.data.InteractionLog`
records and serves the fitted :class:`~recommendations.engine.recommender.HybridRecommender`.
Nothing in this package may import Django (a test checks it), and the heavy libraries
(LightFM, SciPy) are imported inside the functions that need them, so that web processes
which only rank with a loaded model never pay for them at import time.

Modules: ``events`` (feedback signals), ``config`` (hyperparameters), ``data`` (interaction
logs, id maps, CSV loading, splits), ``training`` (batch LightFM fit), ``online`` (fold-in of
a viewer's fresh events), ``ranking`` (top-k with filters and re-ranking), ``persistence``
(the versioned ``.npz`` format), ``recommender`` (the :class:`HybridRecommender` that
composes them), plus the offline evaluation kit: ``metrics``, ``baselines``, ``evaluation``
and ``movielens``.
"""
