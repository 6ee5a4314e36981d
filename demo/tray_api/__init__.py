"""tray_api: the employee API of the helpdesk-tray client for django-helpdesk.

Install it next to ``helpdesk`` and ``rest_framework.authtoken`` and mount
``tray_api.urls`` at ``api/tray/v1/``. Employees (non-staff users) then get
per-user tokens, can report tickets with attachments, follow their own tickets
and reply to them. Every query is limited to the caller's own tickets on the
server.
"""
