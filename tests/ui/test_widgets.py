"""Shared widget helpers: abstract bases refuse construction without their hooks."""

from __future__ import annotations


def test_base_classes_refuse_to_be_built_without_their_hooks(qapp, state):
    import pytest

    from desktop.ui.quality_panels import QualityPanel
    from desktop.ui.user_dialogs import ServiceDialog

    with pytest.raises(TypeError, match="define submit"):
        ServiceDialog(state, "x")
    with pytest.raises(TypeError, match="define load, _enable"):
        QualityPanel(state)
