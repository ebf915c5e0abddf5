"""The Qt user interface: thin widgets over Qt models, fed by the store and the worker."""
