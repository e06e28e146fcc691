"""The ``articleqa`` command: ``main.py`` holds the click group and registers the commands of
``serve.py``, ``watch.py`` and ``onnx.py`` explicitly. Those modules import only ``common.py``,
never the group, so the package has no import cycle.

Nothing is imported here: ``articleqa.cli.common`` stays importable without the group.
"""
