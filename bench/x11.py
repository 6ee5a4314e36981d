"""Closing a window as a window manager does: a ``WM_DELETE_WINDOW`` message (ICCCM 4.2.8.1).

The virtual desktop has no window manager, and xdotool cannot send the
message, so a bench that needs a user to close a window (the app then hides
it, as after a click on its ×) sends it here, through libX11.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_CLIENT_MESSAGE = 33  # X.h
_NO_EVENT_MASK = 0


class _ClientMessage(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    )


class _Event(ctypes.Union):
    _fields_ = (("xclient", _ClientMessage), ("pad", ctypes.c_long * 24))  # XEvent's size


def _libx11() -> ctypes.CDLL:
    name = ctypes.util.find_library("X11")
    if name is None:
        raise OSError("libX11 is not installed")
    lib = ctypes.CDLL(name)
    lib.XOpenDisplay.argtypes = (ctypes.c_char_p,)
    lib.XOpenDisplay.restype = ctypes.c_void_p
    lib.XInternAtom.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int)
    lib.XInternAtom.restype = ctypes.c_ulong
    lib.XSendEvent.argtypes = (
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_long,
        ctypes.POINTER(_Event),
    )
    lib.XFlush.argtypes = (ctypes.c_void_p,)
    lib.XCloseDisplay.argtypes = (ctypes.c_void_p,)
    return lib


def close_window(display: str, window: int) -> None:
    """Ask ``window`` on ``display`` (``":7"``) to close, as a click on its × would."""
    lib = _libx11()
    connection = lib.XOpenDisplay(display.encode())
    if not connection:
        raise OSError(f"cannot open display {display}")
    try:
        event = _Event()
        message = event.xclient
        message.type = _CLIENT_MESSAGE
        message.window = window
        message.message_type = lib.XInternAtom(connection, b"WM_PROTOCOLS", 0)
        message.format = 32
        message.data[0] = lib.XInternAtom(connection, b"WM_DELETE_WINDOW", 0)
        message.data[1] = 0  # CurrentTime
        if not lib.XSendEvent(connection, window, 0, _NO_EVENT_MASK, ctypes.byref(event)):
            raise OSError(f"the X server refused the message to window {window:#x}")
        lib.XFlush(connection)
    finally:
        lib.XCloseDisplay(connection)
