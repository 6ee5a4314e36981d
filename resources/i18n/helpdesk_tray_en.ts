<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>FixDialog</name>
    <message numerus="yes">
        <source>Up to %n minute(s).</source>
        <translation>
            <numerusform>Up to %n minute.</numerusform>
            <numerusform>Up to %n minutes.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FixPresenter</name>
    <message numerus="yes">
        <source>Saved %n entries to {path}.</source>
        <translation>
            <numerusform>Saved %n entry to {path}.</numerusform>
            <numerusform>Saved %n entries to {path}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HealthWindow</name>
    <message numerus="yes">
        <source>%n thing(s) need attention</source>
        <translation>
            <numerusform>%n thing needs attention</numerusform>
            <numerusform>%n things need attention</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OutboxPanel</name>
    <message numerus="yes">
        <source>%n report(s) not sent yet</source>
        <translation>
            <numerusform>%n report not sent yet</numerusform>
            <numerusform>%n reports not sent yet</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrayApp</name>
    <message numerus="yes">
        <source>The list of reports waiting to be sent was damaged and has been set aside for your IT department (%1). %n report(s) could be saved from it.</source>
        <translation>
            <numerusform>The list of reports waiting to be sent was damaged and has been set aside for your IT department (%1). %n report could be saved from it.</numerusform>
            <numerusform>The list of reports waiting to be sent was damaged and has been set aside for your IT department (%1). %n reports could be saved from it.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message numerus="yes">
        <source>My tickets (%n open)</source>
        <translation>
            <numerusform>My tickets (%n open)</numerusform>
            <numerusform>My tickets (%n open)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) with news for you</source>
        <translation>
            <numerusform>%n ticket with news for you</numerusform>
            <numerusform>%n tickets with news for you</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n open ticket(s)</source>
        <translation>
            <numerusform>%n open ticket</numerusform>
            <numerusform>%n open tickets</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n report(s) waiting to be sent</source>
        <translation>
            <numerusform>%n report waiting to be sent</numerusform>
            <numerusform>%n reports waiting to be sent</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n report(s) not accepted: see My tickets</source>
        <translation>
            <numerusform>%n report not accepted: see My tickets</numerusform>
            <numerusform>%n reports not accepted: see My tickets</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrayPanel</name>
    <message numerus="yes">
        <source>Health: %n thing(s) to look at</source>
        <extracomment>Where it opened against (icon, pointer); ``None``: the window system places it.</extracomment>
        <translation>
            <numerusform>Health: %n thing to look at</numerusform>
            <numerusform>Health: %n things to look at</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>All my tickets (%n more open)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Waiting to be sent (%n):</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>and %n more</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
</TS>
