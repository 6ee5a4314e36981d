"""Django project of the helpdesk-tray demo desk (django-helpdesk + tray_api)."""
