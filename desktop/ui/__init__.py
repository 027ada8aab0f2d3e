"""The Qt front: main window, pages, dialogs, item models and the background task runner."""
