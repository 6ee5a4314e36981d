<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en">
<context>
    <name>TrayIcon</name>
    <message numerus="yes">
        <source>My tickets (%n open)</source>
        <translation>
            <numerusform>My tickets (%n open)</numerusform><numerusform>My tickets (%n open)</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) with news for you</source>
        <translation>
            <numerusform>%n ticket with news for you</numerusform><numerusform>%n tickets with news for you</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n open ticket(s)</source>
        <translation>
            <numerusform>%n open ticket</numerusform><numerusform>%n open tickets</numerusform></translation>
    </message>
</context>
</TS>