"""A system tray host for interop/gui.sh: owns org.kde.StatusNotifierWatcher
on the D-Bus session, as KDE's or GNOME's AppIndicator extension do, and
writes "SENDER SERVICE" to the file named by its argument for each
RegisterStatusNotifierItem call (an application's tray icon). Prints "ready"
once the name is owned. Runs until killed."""
import sys
import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)


class Watcher(dbus.service.Object):
    @dbus.service.method("org.kde.StatusNotifierWatcher", in_signature="s", out_signature="", sender_keyword="sender")
    def RegisterStatusNotifierItem(self, service, sender=None):
        with open(sys.argv[1], "a") as f:
            f.write(f"{sender} {service}\n")


bus = dbus.SessionBus()
name = dbus.service.BusName("org.kde.StatusNotifierWatcher", bus)
Watcher(bus, "/StatusNotifierWatcher")
print("ready", flush=True)
GLib.MainLoop().run()
