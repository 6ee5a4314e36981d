<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="nl_NL">
<context>
    <name>CrashDialog</name>
    <message>
        <source>IT help ran into a problem</source>
        <translation>IT-hulp liep tegen een probleem aan</translation>
    </message>
    <message>
        <source>Something unexpected went wrong inside IT help.</source>
        <translation>Er ging iets onverwachts mis in IT-hulp.</translation>
    </message>
    <message>
        <source>The app keeps running and nothing you wrote is lost. If this keeps happening, please tell your IT department; the details below help them.</source>
        <translation>De app blijft werken en niets van wat je schreef is verloren. Gebeurt dit vaker, meld het dan aan je IT-afdeling; de details hieronder helpen hen.</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>The service desk can't be reached right now. Check that you are connected to the network; we will keep trying.</source>
        <translation>De servicedesk is nu niet bereikbaar. Controleer of je verbonden bent met het netwerk; we blijven het proberen.</translation>
    </message>
    <message>
        <source>The service desk is taking too long to answer. We will try again shortly.</source>
        <translation>De servicedesk doet er te lang over om te antwoorden. We proberen het zo opnieuw.</translation>
    </message>
    <message>
        <source>The connection to the service desk is not trusted: your organisation's certificate is not trusted on this computer. Please tell your IT department.</source>
        <translation>De verbinding met de servicedesk wordt niet vertrouwd: het certificaat van je organisatie wordt op deze computer niet vertrouwd. Meld dit aan je IT-afdeling.</translation>
    </message>
    <message>
        <source>The service desk has a problem of its own right now. We will try again shortly.</source>
        <translation>De servicedesk heeft zelf even een probleem. We proberen het zo opnieuw.</translation>
    </message>
    <message>
        <source>The service desk is very busy. We will try again in a moment.</source>
        <translation>Het is erg druk bij de servicedesk. We proberen het zo meteen opnieuw.</translation>
    </message>
    <message>
        <source>The proxy server on your network did not let us through to the service desk. Please tell your IT department.</source>
        <translation>De proxyserver van je netwerk liet ons niet door naar de servicedesk. Meld dit aan je IT-afdeling.</translation>
    </message>
    <message>
        <source>The service desk does not accept attachments this large.</source>
        <translation>De servicedesk accepteert geen bijlagen die zo groot zijn.</translation>
    </message>
    <message>
        <source>Your account is not linked to a department at the service desk yet. Please tell your IT department.</source>
        <translation>Je account is bij de servicedesk nog niet aan een afdeling gekoppeld. Meld dit aan je IT-afdeling.</translation>
    </message>
    <message>
        <source>Your sign-in is no longer valid. Please sign in again.</source>
        <translation>Je aanmelding is niet meer geldig. Meld je opnieuw aan.</translation>
    </message>
    <message>
        <source>The service desk does not allow this for your account.</source>
        <translation>De servicedesk staat dit voor jouw account niet toe.</translation>
    </message>
    <message>
        <source>This ticket can't be found. It may have been moved or removed.</source>
        <translation>Deze melding is niet te vinden. Misschien is ze verplaatst of verwijderd.</translation>
    </message>
    <message>
        <source>The service desk refused this request.</source>
        <translation>De servicedesk heeft dit verzoek geweigerd.</translation>
    </message>
    <message>
        <source>The service desk sent an answer we do not understand. Please try again later; if it keeps happening, tell your IT department.</source>
        <translation>De servicedesk stuurde een antwoord dat we niet begrijpen. Probeer het later opnieuw; blijft het gebeuren, meld het dan aan je IT-afdeling.</translation>
    </message>
    <message>
        <source>This app is not connected to your service desk yet. Please sign in first.</source>
        <translation>Deze app is nog niet met je servicedesk verbonden. Meld je eerst aan.</translation>
    </message>
    <message>
        <source>Your sign-in could not be stored safely on this computer, so you will need to sign in again next time.</source>
        <translation>Je aanmelding kon niet veilig op deze computer worden bewaard; je moet je de volgende keer opnieuw aanmelden.</translation>
    </message>
    <message>
        <source>Please say in a few words what the problem is.</source>
        <translation>Zeg in een paar woorden wat het probleem is.</translation>
    </message>
    <message>
        <source>Please keep the subject short (200 characters at most) and put the details in the description.</source>
        <translation>Houd het onderwerp kort (hoogstens 200 tekens) en zet de details in de beschrijving.</translation>
    </message>
    <message>
        <source>The attached files are too large together.</source>
        <translation>De bijgevoegde bestanden zijn samen te groot.</translation>
    </message>
    <message>
        <source>The user name or password is not right.</source>
        <translation>De gebruikersnaam of het wachtwoord klopt niet.</translation>
    </message>
    <message>
        <source>There is no service desk at this address, or it does not support this app. Please check the address.</source>
        <translation>Op dit adres is geen servicedesk, of hij ondersteunt deze app niet. Controleer het adres.</translation>
    </message>
    <message>
        <source>Something went wrong. Please try again.</source>
        <translation>Er ging iets mis. Probeer het opnieuw.</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <source>Report a problem</source>
        <translation>Probleem melden</translation>
    </message>
    <message>
        <source>Thank you. Your report is ticket %1.</source>
        <translation>Bedankt. Je melding heeft nummer %1.</translation>
    </message>
    <message>
        <source>Your text is kept; you can send it again.</source>
        <translation>Je tekst blijft bewaard; je kunt hem opnieuw versturen.</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Versturen…</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Versturen</translation>
    </message>
</context>
<context>
    <name>ReportDialogView</name>
    <message>
        <source>Tell us what is wrong. The service desk will get back to you, and you can follow your report under “My tickets”.</source>
        <translation>Vertel ons wat er mis is. De servicedesk neemt contact met je op, en je kunt je melding volgen onder ‘Mijn meldingen’.</translation>
    </message>
    <message>
        <source>What is the problem, in a few words?</source>
        <translation>Wat is het probleem, in een paar woorden?</translation>
    </message>
    <message>
        <source>For example: the printer on floor 2 jams</source>
        <translation>Bijvoorbeeld: de printer op de 2e verdieping loopt vast</translation>
    </message>
    <message>
        <source>What happened? What did you expect? (optional)</source>
        <translation>Wat gebeurde er? Wat verwachtte je? (niet verplicht)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Versturen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
    <message>
        <source>Your report has reached the service desk. Someone will pick it up; you can see where it is under “My tickets”, and we will let you know when something changes.</source>
        <translation>Je melding is bij de servicedesk aangekomen. Iemand pakt hem op; onder ‘Mijn meldingen’ zie je hoe ver hij is, en we laten het je weten als er iets verandert.</translation>
    </message>
    <message>
        <source>Show my tickets</source>
        <translation>Mijn meldingen tonen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Sluiten</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in to the service desk</source>
        <translation>Aanmelden bij de servicedesk</translation>
    </message>
    <message>
        <source>Your sign-in has expired. Please sign in again.</source>
        <translation>Je aanmelding is verlopen. Meld je opnieuw aan.</translation>
    </message>
    <message>
        <source>Please enter the service desk's address, starting with https://</source>
        <translation>Vul het adres van de servicedesk in, beginnend met https://</translation>
    </message>
    <message>
        <source>Please enter your user name and password.</source>
        <translation>Vul je gebruikersnaam en wachtwoord in.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Aanmelden…</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Aanmelden</translation>
    </message>
</context>
<context>
    <name>SignInDialogView</name>
    <message>
        <source>Sign in with the user name and password you use for the service desk. You only need to do this once on this computer.</source>
        <translation>Meld je aan met de gebruikersnaam en het wachtwoord die je voor de servicedesk gebruikt. Dat hoeft maar één keer op deze computer.</translation>
    </message>
    <message>
        <source>Set by your IT department.</source>
        <translation>Ingesteld door je IT-afdeling.</translation>
    </message>
    <message>
        <source>Service desk address</source>
        <translation>Adres van de servicedesk</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Gebruikersnaam</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Wachtwoord</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Aanmelden</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
</context>
<context>
    <name>Stage</name>
    <message>
        <source>Received</source>
        <translation>Ontvangen</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>Toegewezen</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>In behandeling</translation>
    </message>
    <message>
        <source>Waiting for you</source>
        <translation>Wacht op jou</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Opgelost</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Gesloten</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Geannuleerd</translation>
    </message>
</context>
<context>
    <name>TicketTableModel</name>
    <message>
        <source>Ticket</source>
        <translation>Melding</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Onderwerp</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Handled by</source>
        <translation>Behandeld door</translation>
    </message>
    <message>
        <source>Last change</source>
        <translation>Laatste wijziging</translation>
    </message>
    <message>
        <source>Not assigned yet</source>
        <translation>Nog niet toegewezen</translation>
    </message>
</context>
<context>
    <name>TicketsWindow</name>
    <message>
        <source>My tickets</source>
        <translation>Mijn meldingen</translation>
    </message>
    <message>
        <source>You are not signed in to the service desk.</source>
        <translation>Je bent niet aangemeld bij de servicedesk.</translation>
    </message>
    <message>
        <source>Sign in to see your tickets.</source>
        <translation>Meld je aan om je meldingen te zien.</translation>
    </message>
    <message>
        <source>You have no tickets. If something is not working, report it here.</source>
        <translation>Je hebt geen meldingen. Werkt er iets niet, meld het dan hier.</translation>
    </message>
    <message>
        <source>Your tickets will show here as soon as the service desk can be reached.</source>
        <translation>Je meldingen verschijnen hier zodra de servicedesk bereikbaar is.</translation>
    </message>
    <message>
        <source>Loading your tickets…</source>
        <translation>Je meldingen worden geladen…</translation>
    </message>
</context>
<context>
    <name>TicketsWindowView</name>
    <message>
        <source>Your tickets</source>
        <translation>Je meldingen</translation>
    </message>
    <message>
        <source>Report a problem…</source>
        <translation>Probleem melden…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Vernieuwen</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>Aanmelden…</translation>
    </message>
</context>
<context>
    <name>Time</name>
    <message>
        <source>Today, %1</source>
        <translation>Vandaag, %1</translation>
    </message>
    <message>
        <source>Yesterday, %1</source>
        <translation>Gisteren, %1</translation>
    </message>
</context>
<context>
    <name>TrayApp</name>
    <message>
        <source>IT help</source>
        <extracomment>A credential handed over by a launcher (the demo, support sessions); never stored.</extracomment>
        <translation>IT-hulp</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Report a problem…</source>
        <translation>Probleem melden…</translation>
    </message>
    <message>
        <source>My tickets</source>
        <translation>Mijn meldingen</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>Aanmelden…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Afsluiten</translation>
    </message>
    <message numerus="yes">
        <source>My tickets (%n open)</source>
        <translation>
            <numerusform>Mijn meldingen (%n open)</numerusform><numerusform>Mijn meldingen (%n open)</numerusform></translation>
    </message>
    <message>
        <source>IT help</source>
        <translation>IT-hulp</translation>
    </message>
    <message>
        <source>Sign in to report problems and follow your tickets.</source>
        <translation>Meld je aan om problemen te melden en je meldingen te volgen.</translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) with news for you</source>
        <translation>
            <numerusform>%n melding met nieuws voor je</numerusform><numerusform>%n meldingen met nieuws voor je</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n open ticket(s)</source>
        <translation>
            <numerusform>%n open melding</numerusform><numerusform>%n open meldingen</numerusform></translation>
    </message>
    <message>
        <source>Click to report a problem.</source>
        <translation>Klik om een probleem te melden.</translation>
    </message>
</context>
<context>
    <name>cli</name>
    <message>
        <source>Cannot read the file %1: %2</source>
        <translation>Kan het bestand %1 niet lezen: %2</translation>
    </message>
    <message>
        <source>Your report is ticket %1.</source>
        <translation>Je melding heeft nummer %1.</translation>
    </message>
    <message>
        <source>You have no tickets.</source>
        <translation>Je hebt geen meldingen.</translation>
    </message>
    <message>
        <source>not assigned yet</source>
        <translation>nog niet toegewezen</translation>
    </message>
    <message>
        <source>The service desk address is set by your IT department.</source>
        <translation>Het adres van de servicedesk is ingesteld door je IT-afdeling.</translation>
    </message>
    <message>
        <source>Give the service desk address (--url) and --username.</source>
        <translation>Geef het adres van de servicedesk (--url) en --username op.</translation>
    </message>
    <message>
        <source>Password: </source>
        <translation>Wachtwoord: </translation>
    </message>
    <message>
        <source>Signed in as %1.</source>
        <translation>Aangemeld als %1.</translation>
    </message>
    <message>
        <source>Signed out.</source>
        <translation>Afgemeld.</translation>
    </message>
</context>
</TS>