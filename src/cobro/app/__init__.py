"""The application: mounts every feature's CLI group, API routers and pages.  The only module that knows them all."""
