<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="nl_NL">
<context>
    <name>AgentCard</name>
    <message>
        <source>Your IT contact</source>
        <translation>Jouw IT-contactpersoon</translation>
    </message>
    <message>
        <source>IT&apos;s information has expired (%1). IT must sign it again.</source>
        <extracomment>What the employee is told when IT&apos;s last update was refused, by refusal code; ``%1`` is the part concerned (timestamp, snapshot, targets, root). Each says what IT must do.</extracomment>
        <translation>De gegevens van ICT zijn verlopen (%1). ICT moet ze opnieuw ondertekenen.</translation>
    </message>
    <message>
        <source>IT&apos;s information failed its signature check (%1). IT must check its keys.</source>
        <translation>De handtekening onder de gegevens van ICT klopt niet (%1). ICT moet de sleutels nakijken.</translation>
    </message>
    <message>
        <source>An older version of IT&apos;s information was offered (%1) and refused.</source>
        <translation>Er werd een oudere versie van de gegevens van ICT aangeboden (%1); die is geweigerd.</translation>
    </message>
    <message>
        <source>A file of IT&apos;s information was changed after signing. IT must publish again.</source>
        <translation>Een bestand van ICT is na ondertekening gewijzigd. ICT moet de gegevens opnieuw publiceren.</translation>
    </message>
    <message>
        <source>IT&apos;s information could not be read (%1). IT must publish it again.</source>
        <translation>De gegevens van ICT zijn onleesbaar (%1). ICT moet ze opnieuw publiceren.</translation>
    </message>
    <message>
        <source>This computer has no key to check IT&apos;s information. IT must install it.</source>
        <translation>Deze computer heeft geen sleutel om de gegevens van ICT te controleren. ICT moet die installeren.</translation>
    </message>
    <message>
        <source>This may be out of date: last confirmed %1.</source>
        <translation>Dit kan verouderd zijn: voor het laatst bevestigd op %1.</translation>
    </message>
    <message>
        <source>today at %1</source>
        <translation>vandaag om %1</translation>
    </message>
    <message>
        <source>tomorrow at %1</source>
        <translation>morgen om %1</translation>
    </message>
    <message>
        <source>on %1 at %2</source>
        <translation>op %1 om %2</translation>
    </message>
    <message>
        <source>on %1</source>
        <translation>op %1</translation>
    </message>
    <message>
        <source>Available until midnight</source>
        <translation>Bereikbaar tot middernacht</translation>
    </message>
    <message>
        <source>Available until %1</source>
        <translation>Bereikbaar tot %1</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Bereikbaar</translation>
    </message>
    <message>
        <source>Back %1</source>
        <translation>Weer bereikbaar %1</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>Afwezig</translation>
    </message>
    <message>
        <source>%1 helps you meanwhile</source>
        <translation>%1 helpt je zolang</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>Bellen</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Chatten</translation>
    </message>
</context>
<context>
    <name>ArticleBrowser</name>
    <message>
        <source>Help articles</source>
        <translation>Hulpartikelen</translation>
    </message>
    <message>
        <source>The article chosen opens beside the list.</source>
        <translation>Het gekozen artikel opent naast de lijst.</translation>
    </message>
    <message>
        <source>No articles yet</source>
        <translation>Nog geen artikelen</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <extracomment>An article&apos;s title and the language it is written in: &quot;Set up MFA (English)&quot;.</extracomment>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Engels</translation>
    </message>
    <message>
        <source>Dutch</source>
        <translation>Nederlands</translation>
    </message>
</context>
<context>
    <name>ArticleView</name>
    <message>
        <source>This article can&apos;t be shown right now.</source>
        <translation>Dit artikel kan nu niet worden getoond.</translation>
    </message>
    <message>
        <source>This article is too long to show in full: only its first part is shown.</source>
        <translation>Dit artikel is te lang om helemaal te tonen: alleen het eerste deel staat hier.</translation>
    </message>
    <message>
        <source>Opening the article…</source>
        <translation>Artikel openen…</translation>
    </message>
</context>
<context>
    <name>Conversation</name>
    <message>
        <source>You</source>
        <extracomment>How much of one message is shown, and of one line of it (the rest: &quot;…&quot;). The attachment that carries the diagnostics; with it, the report&apos;s first paragraph is the summary for the agent (client.core.reports.ticket_text), not the employee&apos;s words. A file&apos;s icon before its name. The widest a bubble gets, as a share of the view.</extracomment>
        <translation>Jij</translation>
    </message>
    <message>
        <source>Now: %1</source>
        <translation>Nu: %1</translation>
    </message>
    <message>
        <source>Service desk</source>
        <translation>Servicedesk</translation>
    </message>
</context>
<context>
    <name>ConversationView</name>
    <message>
        <source>Conversation</source>
        <extracomment>Keep the latest message in view while the batches are measured, until the employee scrolls themselves.</extracomment>
        <translation>Gesprek</translation>
    </message>
    <message>
        <source>Messages with the service desk, oldest first. Enter opens a message&apos;s files.</source>
        <translation>Berichten met de servicedesk, oudste eerst. Enter opent de bestanden van een bericht.</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>IT help ran into a problem</source>
        <translation>IT-hulp liep tegen een probleem aan</translation>
    </message>
    <message>
        <source>IT help stopped unexpectedly the last time it ran.</source>
        <translation>IT-hulp stopte de vorige keer onverwacht.</translation>
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
    <name>Diagnostics</name>
    <message>
        <source>Disk %1: %2 % free</source>
        <translation>Schijf %1: %2 % vrij</translation>
    </message>
    <message>
        <source>memory %1 % used</source>
        <translation>geheugen %1 % in gebruik</translation>
    </message>
    <message>
        <source>swap %1 % used</source>
        <translation>wisselgeheugen %1 % in gebruik</translation>
    </message>
    <message>
        <source>processor %1 % busy</source>
        <translation>processor %1 % bezig</translation>
    </message>
    <message>
        <source>battery %1 %, not charging</source>
        <translation>accu %1 %, laadt niet</translation>
    </message>
    <message>
        <source>not restarted for %1 days</source>
        <translation>%1 dagen niet herstart</translation>
    </message>
    <message>
        <source>service desk reachable in %1 ms</source>
        <translation>servicedesk bereikbaar in %1 ms</translation>
    </message>
    <message>
        <source>service desk NOT reachable (%1)</source>
        <translation>servicedesk NIET bereikbaar (%1)</translation>
    </message>
    <message>
        <source>connection refused</source>
        <extracomment>The order of each fact&apos;s values in its sentence (%1, %2, ...). Why the service desk could not be reached, as the desk probe says it (the rest, the system&apos;s own words after &quot;unreachable: &quot;, is shown as it is).</extracomment>
        <translation>verbinding geweigerd</translation>
    </message>
    <message>
        <source>no answer in time</source>
        <translation>geen antwoord op tijd</translation>
    </message>
    <message>
        <source>name not found</source>
        <translation>naam niet gevonden</translation>
    </message>
    <message>
        <source>Diagnostics of this computer, %1</source>
        <translation>Diagnose van deze computer, %1</translation>
    </message>
    <message>
        <source>System: %1</source>
        <translation>Systeem: %1</translation>
    </message>
    <message>
        <source>Computer name: %1</source>
        <translation>Computernaam: %1</translation>
    </message>
    <message>
        <source>User: %1</source>
        <translation>Gebruiker: %1</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Model: %1</translation>
    </message>
    <message>
        <source>Running for: %1 hours</source>
        <translation>Aan sinds: %1 uur</translation>
    </message>
    <message>
        <source>Memory: %1, %2 % used; swap %3 % used</source>
        <translation>Geheugen: %1, %2 % in gebruik; wisselgeheugen %3 % in gebruik</translation>
    </message>
    <message>
        <source>Disk %1: %2 % free of %3</source>
        <translation>Schijf %1: %2 % vrij van %3</translation>
    </message>
    <message>
        <source>up</source>
        <translation>aan</translation>
    </message>
    <message>
        <source>down</source>
        <translation>uit</translation>
    </message>
    <message>
        <source>Proxy: %1</source>
        <translation>Proxy: %1</translation>
    </message>
    <message>
        <source>Service desk %1:%2: name lookup %3 ms, connection %4 ms</source>
        <translation>Servicedesk %1:%2: naam opzoeken %3 ms, verbinden %4 ms</translation>
    </message>
    <message>
        <source>Service desk %1:%2: name lookup %3 ms, connection %4 ms, not reachable (%5)</source>
        <translation>Servicedesk %1:%2: naam opzoeken %3 ms, verbinding %4 ms, niet bereikbaar (%5)</translation>
    </message>
    <message>
        <source>Busiest programs:</source>
        <translation>Drukste programma&apos;s:</translation>
    </message>
    <message>
        <source>Left out: %1 (%2)</source>
        <translation>Weggelaten: %1 (%2)</translation>
    </message>
</context>
<context>
    <name>EditReportDialog</name>
    <message>
        <source>Change your report</source>
        <translation>Je melding aanpassen</translation>
    </message>
    <message>
        <source>This report has not reached the service desk yet. Change it, then send it.</source>
        <translation>Deze melding is nog niet bij de servicedesk aangekomen. Pas haar aan en verstuur haar dan.</translation>
    </message>
    <message>
        <source>Save and send</source>
        <translation>Opslaan en versturen</translation>
    </message>
    <message>
        <source>Your text is still here, so you can copy it.</source>
        <translation>Je tekst staat er nog, zodat je hem kunt kopiëren.</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>The connection to the service desk is not trusted: your organisation&apos;s certificate is not trusted on this computer. Please tell your IT department.</source>
        <translation>De verbinding met de servicedesk wordt niet vertrouwd: het certificaat van je organisatie wordt op deze computer niet vertrouwd. Meld dit aan je IT-afdeling.</translation>
    </message>
    <message>
        <source>The service desk can&apos;t be reached right now. Check that you are connected to the network.</source>
        <translation>De servicedesk is nu niet bereikbaar. Controleer of je verbonden bent met het netwerk.</translation>
    </message>
    <message>
        <source>The connection to the service desk was interrupted.</source>
        <translation>De verbinding met de servicedesk werd verbroken.</translation>
    </message>
    <message>
        <source>The service desk is taking too long to answer.</source>
        <translation>De servicedesk doet er te lang over om te antwoorden.</translation>
    </message>
    <message>
        <source>The service desk has a problem of its own right now.</source>
        <translation>De servicedesk heeft zelf even een probleem.</translation>
    </message>
    <message>
        <source>The service desk is very busy right now.</source>
        <translation>Het is nu erg druk bij de servicedesk.</translation>
    </message>
    <message>
        <source>The service desk&apos;s address sends this app on to another server, and the app does not follow with your sign-in or your text. Nothing you wrote is lost. Please tell your IT department: the app must be set to the service desk&apos;s final address.</source>
        <translation>Het adres van de servicedesk stuurt deze app door naar een andere server, en de app gaat daar niet heen met je inlog of je tekst. Er gaat niets verloren van wat je schreef. Laat het je IT-afdeling weten: de app moet het uiteindelijke adres van de servicedesk krijgen.</translation>
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
        <translation>Je inlog is niet meer geldig. Log opnieuw in.</translation>
    </message>
    <message>
        <source>The service desk refuses changes sent from this app at the address it was given. Nothing you wrote is lost. Please tell your IT department: the desk address must be one the service desk accepts (for Request Tracker: its allowed referrers).</source>
        <translation>De servicedesk weigert wijzigingen die deze app stuurt via het adres dat de app kreeg. Er gaat niets verloren van wat je schreef. Laat het je IT-afdeling weten: het adres van de servicedesk moet er een zijn dat de servicedesk accepteert (bij Request Tracker: de toegestane referrers).</translation>
    </message>
    <message>
        <source>The service desk&apos;s server is not taking connections right now. Your network is fine: the server may be down for maintenance.</source>
        <translation>De server van de servicedesk neemt nu geen verbindingen aan. Aan je netwerk ligt het niet: de server is misschien in onderhoud.</translation>
    </message>
    <message>
        <source>The service desk does not allow this for your account.</source>
        <translation>De servicedesk staat dit voor jouw account niet toe.</translation>
    </message>
    <message>
        <source>This ticket can&apos;t be found. It may have been moved or removed.</source>
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
        <translation>Deze app is nog niet met je servicedesk verbonden. Log eerst in.</translation>
    </message>
    <message>
        <source>Your report could not be saved on this computer because its disk is full (or the reports waiting to be sent already take all the room allowed). Free some space and try again, or call the service desk.</source>
        <translation>Je melding kon niet op deze computer worden bewaard omdat de schijf vol is (of omdat de meldingen die nog verstuurd moeten worden al alle toegestane ruimte innemen). Maak ruimte vrij en probeer het opnieuw, of bel de servicedesk.</translation>
    </message>
    <message>
        <source>Your report could not be saved on this computer. Please try again; if it keeps happening, call the service desk.</source>
        <translation>Je melding kon niet op deze computer worden bewaard. Probeer het opnieuw; blijft het gebeuren, bel dan de servicedesk.</translation>
    </message>
    <message>
        <source>This report is being sent right now, so it can no longer be changed or deleted.</source>
        <translation>Deze melding wordt nu verstuurd en kan daarom niet meer worden gewijzigd of verwijderd.</translation>
    </message>
    <message>
        <source>This report has already reached the service desk; you can see it in your list.</source>
        <translation>Deze melding is al bij de servicedesk aangekomen; je ziet haar in je lijst.</translation>
    </message>
    <message>
        <source>This report may already have reached the service desk, so it can no longer be changed.</source>
        <translation>Deze melding is misschien al bij de servicedesk aangekomen en kan daarom niet meer worden gewijzigd.</translation>
    </message>
    <message>
        <source>This file is no longer there.</source>
        <translation>Dit bestand is er niet meer.</translation>
    </message>
    <message>
        <source>This is a folder. Please add the files in it one by one, or as a zip file.</source>
        <translation>Dit is een map. Voeg de bestanden erin een voor een toe, of als zipbestand.</translation>
    </message>
    <message>
        <source>This is not an ordinary file (a device or a connection), so it can&apos;t be sent.</source>
        <translation>Dit is geen gewoon bestand (een apparaat of een verbinding) en kan dus niet worden verstuurd.</translation>
    </message>
    <message>
        <source>This file can&apos;t be read. You may not have permission to open it.</source>
        <translation>Dit bestand kan niet worden gelezen. Misschien mag je het niet openen.</translation>
    </message>
    <message>
        <source>This file is too large: together, the files of a report may not be larger.</source>
        <translation>Dit bestand is te groot: samen mogen de bestanden van een melding niet groter zijn.</translation>
    </message>
    <message>
        <source>Your sign-in could not be stored safely on this computer, so you will need to sign in again next time.</source>
        <translation>Je inlog kon niet veilig op deze computer worden bewaard; je moet de volgende keer opnieuw inloggen.</translation>
    </message>
    <message>
        <source>Please enter the service desk&apos;s address, starting with https://</source>
        <translation>Vul het adres van de servicedesk in, beginnend met https://</translation>
    </message>
    <message>
        <source>The address must start with https://, so that your password travels safely.</source>
        <translation>Het adres moet met https:// beginnen, zodat je wachtwoord veilig verstuurd wordt.</translation>
    </message>
    <message>
        <source>Please enter the address without a user name or password in it; you sign in below.</source>
        <translation>Vul het adres in zonder gebruikersnaam of wachtwoord erin; je logt hieronder in.</translation>
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
        <source>the service desk does not accept this type of file</source>
        <translation>de servicedesk accepteert dit soort bestand niet</translation>
    </message>
    <message>
        <source>too large for the service desk</source>
        <translation>te groot voor de servicedesk</translation>
    </message>
    <message>
        <source>This file is too large: the files of a report may be %1 together at most.</source>
        <translation>Dit bestand is te groot: de bestanden bij een melding mogen samen hoogstens %1 zijn.</translation>
    </message>
    <message>
        <source>“%1”: %2</source>
        <translation>‘%1’: %2</translation>
    </message>
    <message>
        <source>These files were not sent with it:</source>
        <translation>Deze bestanden zijn niet meegestuurd:</translation>
    </message>
    <message>
        <source>We will keep trying.</source>
        <translation>We blijven het proberen.</translation>
    </message>
    <message>
        <source>Something went wrong. Please try again.</source>
        <extracomment>Reasons worth trying again for (a certificate or a proxy needs IT first).</extracomment>
        <translation>Er ging iets mis. Probeer het opnieuw.</translation>
    </message>
</context>
<context>
    <name>FixDialog</name>
    <message>
        <source>Solved: the problem is gone.</source>
        <translation>Opgelost: het probleem is weg.</translation>
    </message>
    <message>
        <source>The check found the problem, the fix ran, and a second check no longer finds it.</source>
        <translation>De controle vond het probleem, de oplossing is uitgevoerd en een tweede controle vindt het niet meer.</translation>
    </message>
    <message>
        <source>Nothing to fix here.</source>
        <translation>Hier valt niets op te lossen.</translation>
    </message>
    <message>
        <source>The check did not find this problem on your computer, so nothing was changed.</source>
        <translation>De controle vond dit probleem niet op je computer, dus er is niets veranderd.</translation>
    </message>
    <message>
        <source>The problem is still there.</source>
        <translation>Het probleem is er nog.</translation>
    </message>
    <message>
        <source>The fix ran, but a second check still finds the problem.</source>
        <translation>De oplossing is uitgevoerd, maar een tweede controle vindt het probleem nog steeds.</translation>
    </message>
    <message>
        <source>The fix did not work.</source>
        <translation>De oplossing werkte niet.</translation>
    </message>
    <message>
        <source>A step stopped with an error. Nothing else was tried.</source>
        <translation>Een stap stopte met een fout. Verder is niets geprobeerd.</translation>
    </message>
    <message>
        <source>Stopped: it took too long.</source>
        <translation>Gestopt: het duurde te lang.</translation>
    </message>
    <message>
        <source>It ran past its time limit, so it was stopped, with everything it had started.</source>
        <translation>Het liep over de tijdslimiet en is gestopt, met alles wat het had gestart.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Geannuleerd.</translation>
    </message>
    <message>
        <source>The fix was stopped, with everything it had started.</source>
        <translation>De oplossing is gestopt, met alles wat ze had gestart.</translation>
    </message>
    <message>
        <source>This fix was not run.</source>
        <translation>Deze oplossing is niet uitgevoerd.</translation>
    </message>
    <message>
        <source>Checked: the problem is here.</source>
        <translation>Gecontroleerd: het probleem is er.</translation>
    </message>
    <message>
        <source>A health check ran IT&apos;s check alone and found the problem. Nothing was changed.</source>
        <translation>Een gezondheidscontrole voerde alleen de controle van IT uit en vond het probleem. Er is niets veranderd.</translation>
    </message>
    <message>
        <source>Your IT department has switched off fixes on this computer.</source>
        <extracomment>Why a fix may not run (NotAllowed values, and the runner&apos;s refusals), in words.</extracomment>
        <translation>Je IT-afdeling heeft oplossingen op deze computer uitgeschakeld.</translation>
    </message>
    <message>
        <source>IT&apos;s fixes could not be verified just now, so none may run. Try again later, or report the problem.</source>
        <translation>De oplossingen van ICT konden nu niet worden gecontroleerd, dus er mag er geen worden uitgevoerd. Probeer het later opnieuw, of meld het probleem.</translation>
    </message>
    <message>
        <source>This fix is not made for this computer&apos;s system.</source>
        <translation>Deze oplossing is niet gemaakt voor het systeem van deze computer.</translation>
    </message>
    <message>
        <source>This needs an administrator&apos;s rights, and the tray never asks for those. IT can do it for you.</source>
        <translation>Hiervoor zijn beheerdersrechten nodig, en daar vraagt de app nooit om. ICT kan het voor je doen.</translation>
    </message>
    <message>
        <source>The tray is running with administrator rights. To keep your computer safe it runs no fixes then: start it as yourself.</source>
        <translation>De app draait met beheerdersrechten. Om je computer veilig te houden voert ze dan geen oplossingen uit: start haar als jezelf.</translation>
    </message>
    <message>
        <source>Fixes cannot run safely on this system yet. Report the problem instead.</source>
        <translation>Oplossingen kunnen op dit systeem nog niet veilig draaien. Meld het probleem in plaats daarvan.</translation>
    </message>
    <message>
        <source>This fix on your computer is not exactly what IT published, so it was not run. Report the problem: the record shows IT what happened.</source>
        <translation>Deze oplossing op je computer is niet precies wat ICT publiceerde, dus ze is niet uitgevoerd. Meld het probleem: het logboek laat ICT zien wat er gebeurde.</translation>
    </message>
    <message>
        <source>That value is not one this fix allows.</source>
        <translation>Die waarde staat deze oplossing niet toe.</translation>
    </message>
    <message>
        <source>The program this fix runs with is not installed on this computer.</source>
        <translation>Het programma waarmee deze oplossing draait, is niet op deze computer geïnstalleerd.</translation>
    </message>
    <message>
        <source>The fix could not be started.</source>
        <translation>De oplossing kon niet worden gestart.</translation>
    </message>
    <message>
        <source>Check for the problem</source>
        <translation>Controleren op het probleem</translation>
    </message>
    <message>
        <source>Fix it</source>
        <translation>Oplossen</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>Opnieuw controleren</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>gestopt</translation>
    </message>
    <message>
        <source>{step}: exit code {code}, {seconds} s</source>
        <translation>{step}: afsluitcode {code}, {seconds} s</translation>
    </message>
    <message>
        <source>What it changes:</source>
        <translation>Wat het verandert:</translation>
    </message>
    <message>
        <source>How long:</source>
        <translation>Hoe lang:</translation>
    </message>
    <message>
        <source>Yes, what it changes can be put back.</source>
        <translation>Ja, wat het verandert kan worden teruggezet.</translation>
    </message>
    <message>
        <source>No, what it changes cannot be put back.</source>
        <translation>Nee, wat het verandert kan niet worden teruggezet.</translation>
    </message>
    <message>
        <source>Can it be undone?</source>
        <translation>Terug te draaien?</translation>
    </message>
    <message>
        <source>It runs as you, with your rights only, and IT sees the result in the record on this computer.</source>
        <translation>Het draait als jou, alleen met jouw rechten, en ICT ziet het resultaat in het logboek op deze computer.</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>Niet nu</translation>
    </message>
    <message>
        <source>Run the fix</source>
        <translation>Oplossing uitvoeren</translation>
    </message>
    <message>
        <source>Runs the fix now: check, fix, and check again.</source>
        <translation>Voert de oplossing nu uit: controleren, oplossen en opnieuw controleren.</translation>
    </message>
    <message>
        <source>Running the fix…</source>
        <translation>Oplossing wordt uitgevoerd…</translation>
    </message>
    <message>
        <source>The fix is running</source>
        <translation>De oplossing wordt uitgevoerd</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
    <message>
        <source>Stops the fix and everything it started.</source>
        <translation>Stopt de oplossing en alles wat ze startte.</translation>
    </message>
    <message>
        <source>Did this solve it?</source>
        <translation>Is het hiermee opgelost?</translation>
    </message>
    <message>
        <source>What each step did</source>
        <translation>Wat elke stap deed</translation>
    </message>
    <message>
        <source>Show details</source>
        <translation>Details tonen</translation>
    </message>
    <message>
        <source>No, report it</source>
        <translation>Nee, melden</translation>
    </message>
    <message>
        <source>Opens a report to the service desk with what the fix found and did.</source>
        <translation>Opent een melding aan de servicedesk met wat de oplossing vond en deed.</translation>
    </message>
    <message>
        <source>Yes, solved</source>
        <translation>Ja, opgelost</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Sluiten</translation>
    </message>
    <message>
        <source>Report the problem</source>
        <translation>Het probleem melden</translation>
    </message>
    <message>
        <source>Ask IT to do this</source>
        <translation>ICT vragen dit te doen</translation>
    </message>
    <message>
        <source>Sends the service desk a request to run this fix for you.</source>
        <translation>Stuurt de servicedesk een verzoek om deze oplossing voor je uit te voeren.</translation>
    </message>
    <message>
        <source>This fix cannot run here.</source>
        <translation>Deze oplossing kan hier niet draaien.</translation>
    </message>
    <message>
        <source>Now: {step}</source>
        <translation>Nu: {step}</translation>
    </message>
    <message>
        <source>Stopping the fix…</source>
        <translation>Oplossing wordt gestopt…</translation>
    </message>
    <message>
        <source>Hide details</source>
        <translation>Details verbergen</translation>
    </message>
    <message>
        <source>Under a minute.</source>
        <translation>Minder dan een minuut.</translation>
    </message>
    <message numerus="yes">
        <source>Up to %n minute(s).</source>
        <translation>
            <numerusform>Hoogstens %n minuut.</numerusform>
            <numerusform>Hoogstens %n minuten.</numerusform>
        </translation>
    </message>
    <message>
        <source>I tried IT&apos;s fix “{title}”: {result}</source>
        <translation>Ik heb de oplossing ‘{title}’ van ICT geprobeerd: {result}</translation>
    </message>
    <message>
        <source>It did not solve my problem.</source>
        <translation>Mijn probleem is daarmee niet opgelost.</translation>
    </message>
    <message>
        <source>Please run IT&apos;s fix “{title}” for me: it needs an administrator.</source>
        <translation>Wil je de oplossing ‘{title}’ van ICT voor me uitvoeren? Daar is een beheerder voor nodig.</translation>
    </message>
</context>
<context>
    <name>FixPresenter</name>
    <message>
        <source>The record of what ran on this computer was damaged. It was moved aside and what could be read was kept.</source>
        <translation>Het logboek van wat er op deze computer draaide was beschadigd. Het is apart gezet en wat nog leesbaar was, is bewaard.</translation>
    </message>
    <message>
        <source>The record could not be saved there. Choose another folder.</source>
        <translation>Het logboek kon daar niet worden opgeslagen. Kies een andere map.</translation>
    </message>
    <message>
        <source>The record of what ran on this computer could not be read or written. Nothing else is affected.</source>
        <translation>Het logboek van wat er op deze computer draaide kon niet worden gelezen of geschreven. Verder is niets aangetast.</translation>
    </message>
    <message numerus="yes">
        <source>Saved %n entries to {path}.</source>
        <translation>
            <numerusform>%n item opgeslagen in {path}.</numerusform>
            <numerusform>%n items opgeslagen in {path}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HealthPresenter</name>
    <message>
        <source>IT has a fix you can run yourself: %1.</source>
        <translation>IT heeft een oplossing die u zelf kunt uitvoeren: %1.</translation>
    </message>
    <message>
        <source>Tell IT about this?</source>
        <translation>IT hierover inlichten?</translation>
    </message>
    <message>
        <source>%1. It has lasted a while. Open to see what IT would get.</source>
        <translation>%1. Het duurt al een tijdje. Open om te zien wat IT zou krijgen.</translation>
    </message>
    <message>
        <source>IT has been told</source>
        <translation>IT is ingelicht</translation>
    </message>
    <message>
        <source>%1. It has lasted a while, so IT has been told, as your IT department&apos;s policy says. Open to see what was sent.</source>
        <translation>%1. Het duurt al een tijdje, dus IT is ingelicht, zoals het beleid van uw IT-afdeling zegt. Open om te zien wat er is verstuurd.</translation>
    </message>
    <message>
        <source>Fixed for you</source>
        <translation>Voor u opgelost</translation>
    </message>
    <message>
        <source>A fix did not help</source>
        <translation>Een oplossing hielp niet</translation>
    </message>
    <message>
        <source>%1: IT&apos;s fix ran on its own, as IT allows for this one.</source>
        <translation>%1: de oplossing van IT is vanzelf uitgevoerd, zoals IT voor deze toestaat.</translation>
    </message>
    <message>
        <source>IT gets this report, and nothing else:</source>
        <translation>IT krijgt deze melding, en verder niets:</translation>
    </message>
    <message>
        <source>Send to IT</source>
        <translation>Naar IT sturen</translation>
    </message>
    <message>
        <source>Don&apos;t tell IT</source>
        <translation>IT niet inlichten</translation>
    </message>
</context>
<context>
    <name>HealthWindow</name>
    <message>
        <source>Health of this computer</source>
        <extracomment>The longest fix title on a button (characters): buttons do not wrap. How long &quot;Remind me later&quot; waits (seconds): a working day. A card&apos;s text may break inside a run this long without a space: a long detail or title (a path, a program&apos;s name) would otherwise widen the card past the window, and its buttons with it. The fix the employee can run for it (&quot;&quot; for none: a report is offered). Whether the policy lets the employee tell IT from here (``ask``) and it has not been.</extracomment>
        <translation>Gezondheid van deze computer</translation>
    </message>
    <message>
        <source>Check now</source>
        <translation>Nu controleren</translation>
    </message>
    <message>
        <source>What was found</source>
        <translation>Wat er is gevonden</translation>
    </message>
    <message>
        <source>What is checked</source>
        <translation>Wat er wordt gecontroleerd</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Controle</translation>
    </message>
    <message>
        <source>Last measured</source>
        <translation>Laatst gemeten</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Toestand</translation>
    </message>
    <message>
        <source>What is checked, and the last values</source>
        <translation>Wat er wordt gecontroleerd, en de laatste waarden</translation>
    </message>
    <message>
        <source>Checks run on this computer. IT hears only of a problem that lasts, as your IT department&apos;s policy says, and never sees your files, screen or programs.</source>
        <translation>De controles gebeuren op deze computer. IT hoort alleen van een probleem dat blijft, zoals het beleid van uw IT-afdeling zegt, en ziet nooit uw bestanden, scherm of programma&apos;s.</translation>
    </message>
    <message>
        <source>What was sent…</source>
        <translation>Wat er is verstuurd…</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Bezig met controleren…</translation>
    </message>
    <message>
        <source>Not checked yet.</source>
        <translation>Nog niet gecontroleerd.</translation>
    </message>
    <message>
        <source>Last checked %1.</source>
        <translation>Laatst gecontroleerd %1.</translation>
    </message>
    <message>
        <source>All is well</source>
        <translation>Alles in orde</translation>
    </message>
    <message numerus="yes">
        <source>%n thing(s) need attention</source>
        <translation>
            <numerusform>%n punt vraagt aandacht</numerusform>
            <numerusform>%n punten vragen aandacht</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing needs you now</source>
        <translation>Niets vraagt nu uw aandacht</translation>
    </message>
    <message>
        <source>Fix it: %1</source>
        <translation>Oplossen: %1</translation>
    </message>
    <message>
        <source>Report it…</source>
        <translation>Melden…</translation>
    </message>
    <message>
        <source>Tell IT</source>
        <translation>IT inlichten</translation>
    </message>
    <message>
        <source>Sends IT this finding and its figures, nothing else</source>
        <translation>Stuurt IT deze bevinding en de cijfers, verder niets</translation>
    </message>
    <message>
        <source>Remind me tomorrow</source>
        <translation>Morgen herinneren</translation>
    </message>
    <message>
        <source>Don&apos;t remind me</source>
        <translation>Niet meer herinneren</translation>
    </message>
    <message>
        <source>A problem IT was told of has cleared. Ticket %1 is being closed.</source>
        <translation>Een probleem waarover IT is ingelicht, is verdwenen. Melding %1 wordt gesloten.</translation>
    </message>
    <message>
        <source>About %1 % slower than it used to be.</source>
        <translation>Ongeveer %1 % trager dan vroeger.</translation>
    </message>
    <message>
        <source>IT knows: ticket %1.</source>
        <translation>IT weet ervan: melding %1.</translation>
    </message>
    <message>
        <source>IT is being told: the report waits to be sent.</source>
        <translation>IT wordt ingelicht: de melding wacht om verstuurd te worden.</translation>
    </message>
    <message>
        <source>You chose not to tell IT.</source>
        <translation>U koos ervoor IT niet in te lichten.</translation>
    </message>
    <message>
        <source>You will be reminded after %1.</source>
        <translation>U krijgt een herinnering na %1.</translation>
    </message>
    <message>
        <source>You will not be reminded of this.</source>
        <translation>U krijgt hier geen herinnering meer over.</translation>
    </message>
    <message>
        <source>Found since %1.</source>
        <translation>Gevonden sinds %1.</translation>
    </message>
    <message>
        <source>Not measured here</source>
        <translation>Hier niet gemeten</translation>
    </message>
    <message>
        <source>Fails</source>
        <translation>Mislukt</translation>
    </message>
    <message>
        <source>Works</source>
        <translation>Werkt</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>Vraagt aandacht</translation>
    </message>
    <message>
        <source>Fine</source>
        <translation>In orde</translation>
    </message>
</context>
<context>
    <name>Notifications</name>
    <message>
        <source>Ticket %1: waiting for you</source>
        <extracomment>Action keys that open the ticket: a click on the toast, and its button. How long the tray balloon stays (the D-Bus server decides for itself). Notifications whose click (or answer) we still wait for; bounded whatever the server does. Toast titles by kind of change; ``%1`` is the ticket (e.g. INC-12).</extracomment>
        <translation>Melding %1: wacht op jou</translation>
    </message>
    <message>
        <source>Ticket %1: resolved</source>
        <translation>Melding %1: opgelost</translation>
    </message>
    <message>
        <source>Ticket %1: reopened</source>
        <translation>Melding %1: heropend</translation>
    </message>
    <message>
        <source>Ticket %1: new reply</source>
        <translation>Melding %1: nieuw antwoord</translation>
    </message>
    <message>
        <source>Ticket %1: %2 is on it</source>
        <extracomment>What never goes from a desk into a toast: Unicode&apos;s control characters (category Cc) become spaces, invisible characters that reorder text vanish. A table, not ``unicodedata`` or ``html``: those two cost an idle tray 1.4 MB (docs/performance.md). The characters markup-reading notification servers would take for markup.</extracomment>
        <translation>Melding %1: %2 pakt het op</translation>
    </message>
    <message>
        <source>Ticket %1: %2</source>
        <translation>Melding %1: %2</translation>
    </message>
    <message>
        <source>“%1”</source>
        <translation>‘%1’</translation>
    </message>
    <message>
        <source>%1 — %2 needs an answer from you</source>
        <translation>%1 — %2 heeft een antwoord van je nodig</translation>
    </message>
    <message>
        <source>%1 — %2 replied</source>
        <translation>%1 — %2 heeft geantwoord</translation>
    </message>
    <message>
        <source>%1 — the service desk replied</source>
        <translation>%1 — de servicedesk heeft geantwoord</translation>
    </message>
    <message>
        <source>%1 — the service desk needs an answer from you</source>
        <translation>%1 — de servicedesk heeft een antwoord van je nodig</translation>
    </message>
    <message>
        <source>%1 of your tickets changed</source>
        <translation>%1 van je meldingen zijn veranderd</translation>
    </message>
    <message>
        <source>%1 “%2”</source>
        <translation>%1 ‘%2’</translation>
    </message>
    <message>
        <source>Show what helps</source>
        <extracomment>&quot;health&quot;: about this computer&apos;s health (quiet, and a click opens the health view). While the tray&apos;s menu or panel is open, a balloon would cover it and take a click meant for it: the latest one waits until they close (see hold).</extracomment>
        <translation>Laten zien wat helpt</translation>
    </message>
    <message>
        <source>Open ticket</source>
        <translation>Melding openen</translation>
    </message>
    <message>
        <source>Show my tickets</source>
        <translation>Mijn meldingen tonen</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Openen</translation>
    </message>
</context>
<context>
    <name>Outbox</name>
    <message>
        <source>Will be sent after you sign in again.</source>
        <extracomment>Why a report waits for a refusal of who we are to be fixed: the short line, for the first day.</extracomment>
        <translation>Wordt verstuurd nadat je opnieuw bent ingelogd.</translation>
    </message>
    <message>
        <source>Waiting: the service desk does not allow your account to file tickets. It will be sent as soon as it does.</source>
        <translation>Wacht: de servicedesk staat niet toe dat jouw account meldingen indient. Ze wordt verstuurd zodra dat wel mag.</translation>
    </message>
    <message>
        <source>Waiting: the service desk refuses requests from this app. It will be sent as soon as it accepts them.</source>
        <translation>Wacht: de servicedesk weigert verzoeken van deze app. Ze wordt verstuurd zodra hij ze aanneemt.</translation>
    </message>
    <message>
        <source>Waiting: the service desk has nowhere to file it. It will be sent as soon as that is set up.</source>
        <translation>Wacht: de servicedesk heeft geen plek om haar onder te brengen. Ze wordt verstuurd zodra dat is ingericht.</translation>
    </message>
    <message>
        <source>Your report has been waiting since %1 because you are signed out of the service desk. Please sign in again; if the service desk keeps refusing your sign-in, ask your IT department to check your account.</source>
        <extracomment>After a day of waiting: what IT must do (%1: the day the wait began).</extracomment>
        <translation>Je melding wacht sinds %1, omdat je bij de servicedesk bent uitgelogd. Log opnieuw in; blijft de servicedesk je inlog weigeren, vraag dan je IT-afdeling je account na te kijken.</translation>
    </message>
    <message>
        <source>Your report has been waiting since %1 because the service desk does not allow your account to file tickets. Ask your IT department to give your account the right to create tickets in the service desk.</source>
        <translation>Je melding wacht sinds %1, omdat de servicedesk niet toestaat dat jouw account meldingen indient. Vraag je IT-afdeling je account het recht te geven om meldingen aan te maken in de servicedesk.</translation>
    </message>
    <message>
        <source>Your report has been waiting since %1 because the service desk refuses requests from this app. Ask your IT department to let the service desk accept them, or to update this app (IT: see this app&apos;s Request Tracker guide, on allowed referrers and the desk address).</source>
        <translation>Je melding wacht sinds %1, omdat de servicedesk verzoeken van deze app weigert. Vraag je IT-afdeling de servicedesk ze te laten aannemen, of deze app bij te werken (IT: zie de Request Tracker-handleiding van deze app, over toegestane referrers en het adres van de servicedesk).</translation>
    </message>
    <message>
        <source>Your report has been waiting since %1 because the service desk has nowhere to file it. Ask your IT department to check the service desk address and queue set up for this app, and that your account may see that queue.</source>
        <translation>Je melding wacht sinds %1, omdat de servicedesk geen plek heeft om haar onder te brengen. Vraag je IT-afdeling het adres van de servicedesk en de wachtrij die voor deze app zijn ingesteld na te kijken, en of jouw account die wachtrij mag zien.</translation>
    </message>
    <message>
        <source>The service desk said: “%1”</source>
        <translation>De servicedesk zei: ‘%1’</translation>
    </message>
</context>
<context>
    <name>OutboxPanel</name>
    <message>
        <source>Try again now</source>
        <translation>Nu opnieuw proberen</translation>
    </message>
    <message>
        <source>Trying…</source>
        <extracomment>The attempts each report had when the employee asked to try again (see show_items).</extracomment>
        <translation>Bezig met proberen…</translation>
    </message>
    <message>
        <source>Tried again just now: not sent yet. It keeps trying by itself.</source>
        <translation>Zojuist opnieuw geprobeerd: nog niet verstuurd. Het blijft het zelf proberen.</translation>
    </message>
    <message numerus="yes">
        <source>%n report(s) not sent yet</source>
        <translation>
            <numerusform>%n melding nog niet verstuurd</numerusform>
            <numerusform>%n meldingen nog niet verstuurd</numerusform>
        </translation>
    </message>
    <message>
        <source>Reports on this computer</source>
        <translation>Meldingen op deze computer</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Versturen…</translation>
    </message>
    <message>
        <source>Not accepted by the service desk: %1</source>
        <translation>Niet aangenomen door de servicedesk: %1</translation>
    </message>
    <message>
        <source>Saved on this computer. Next try: %1.</source>
        <translation>Bewaard op deze computer. Volgende poging: %1.</translation>
    </message>
    <message>
        <source>Saved on this computer; it will be sent in a moment.</source>
        <translation>Bewaard op deze computer; wordt zo verstuurd.</translation>
    </message>
</context>
<context>
    <name>OutboxRow</name>
    <message>
        <source>Change…</source>
        <translation>Aanpassen…</translation>
    </message>
    <message>
        <source>Change the report “%1” before it is sent.</source>
        <translation>De melding “%1” wijzigen voordat ze wordt verstuurd.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Verwijderen</translation>
    </message>
    <message>
        <source>Delete the report “%1”: it will not be sent.</source>
        <translation>De melding “%1” verwijderen: ze wordt niet verstuurd.</translation>
    </message>
</context>
<context>
    <name>Panel</name>
    <message>
        <source>No expected time yet</source>
        <extracomment>The panel&apos;s width (logical pixels); its height follows what it holds. Open tickets shown as cards; the rest are one click further, under &quot;All my tickets&quot;. Reports waiting to be sent that are named one by one.</extracomment>
        <translation>Nog geen verwachte tijd</translation>
    </message>
    <message>
        <source>Expected by %1</source>
        <translation>Verwacht vóór %1</translation>
    </message>
    <message>
        <source>Usually by %1</source>
        <translation>Meestal vóór %1</translation>
    </message>
    <message>
        <source>Was expected by %1</source>
        <translation>Werd verwacht vóór %1</translation>
    </message>
    <message>
        <source>Taking longer than usual</source>
        <translation>Duurt langer dan gewoonlijk</translation>
    </message>
</context>
<context>
    <name>ParcelCard</name>
    <message>
        <source>News</source>
        <translation>Nieuws</translation>
    </message>
    <message>
        <source>News:</source>
        <translation>Nieuws:</translation>
    </message>
    <message>
        <source>Ticket %1: %2</source>
        <translation>Melding %1: %2</translation>
    </message>
</context>
<context>
    <name>PayloadPreview</name>
    <message>
        <source>What will be sent</source>
        <extracomment>Text files longer than this are shown only in part (they are sent whole).</extracomment>
        <translation>Wat er wordt verstuurd</translation>
    </message>
    <message>
        <source>Nothing has been sent yet. With your report go: %1</source>
        <translation>Er is nog niets verstuurd. Met je melding gaan mee: %1</translation>
    </message>
    <message>
        <source>no files</source>
        <translation>geen bestanden</translation>
    </message>
    <message>
        <source>Text of the ticket</source>
        <translation>Tekst van de melding</translation>
    </message>
    <message>
        <source>(Only the beginning is shown here; all of it is sent.)</source>
        <translation>(Hier staat alleen het begin; alles wordt verstuurd.)</translation>
    </message>
    <message>
        <source>%1: %2, sent as it is.</source>
        <translation>%1: %2, wordt verstuurd zoals het is.</translation>
    </message>
</context>
<context>
    <name>RecordWindow</name>
    <message>
        <source>What IT ran on this computer</source>
        <translation>Wat ICT op deze computer uitvoerde</translation>
    </message>
    <message>
        <source>Every fix run on this computer and every report the tray sent, with what it carried. It stays on this computer unless you export it.</source>
        <translation>Elke oplossing die op deze computer draaide en elke melding die de app verstuurde, met wat erbij zat. Het blijft op deze computer, tenzij je het exporteert.</translation>
    </message>
    <message>
        <source>Fixes run and reports sent, newest first</source>
        <translation>Uitgevoerde oplossingen en verstuurde meldingen, nieuwste eerst</translation>
    </message>
    <message>
        <source>Details of the selected entry</source>
        <translation>Details van het gekozen item</translation>
    </message>
    <message>
        <source>Nothing yet: no fix has run and no report was sent.</source>
        <translation>Nog niets: er is geen oplossing uitgevoerd en geen melding verstuurd.</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exporteren…</translation>
    </message>
    <message>
        <source>Saves the whole record as a file you can keep or send to IT.</source>
        <translation>Slaat het hele logboek op als bestand dat je kunt bewaren of naar ICT kunt sturen.</translation>
    </message>
    <message>
        <source>{when} · Fix: {title} · {result}</source>
        <translation>{when} · Oplossing: {title} · {result}</translation>
    </message>
    <message>
        <source>no ticket number</source>
        <translation>geen meldingsnummer</translation>
    </message>
    <message>
        <source>{when} · Report sent: {subject} ({ticket})</source>
        <translation>{when} · Melding verstuurd: {subject} ({ticket})</translation>
    </message>
    <message>
        <source>{when} · An entry this version cannot read</source>
        <translation>{when} · Een item dat deze versie niet kan lezen</translation>
    </message>
    <message>
        <source>you</source>
        <translation>jou</translation>
    </message>
    <message>
        <source>Fix: {title} ({id}), version {version}</source>
        <translation>Oplossing: {title} ({id}), versie {version}</translation>
    </message>
    <message>
        <source>Started by {who} on {when}, took {seconds} s</source>
        <translation>Gestart door {who} op {when}, duurde {seconds} s</translation>
    </message>
    <message>
        <source>Detection script SHA-256: {hash}</source>
        <translation>SHA-256 van het controlescript: {hash}</translation>
    </message>
    <message>
        <source>Fix script SHA-256: {hash}</source>
        <translation>SHA-256 van het oplosscript: {hash}</translation>
    </message>
    <message>
        <source>Report: {subject}</source>
        <translation>Melding: {subject}</translation>
    </message>
    <message>
        <source>Sent on {when}, ticket {ticket}</source>
        <translation>Verstuurd op {when}, melding {ticket}</translation>
    </message>
    <message>
        <source>It carried:</source>
        <translation>Meegestuurd:</translation>
    </message>
    <message>
        <source>Written by another version of the tray ({kind}).</source>
        <translation>Geschreven door een andere versie van de app ({kind}).</translation>
    </message>
    <message>
        <source>Export the record</source>
        <translation>Het logboek exporteren</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON-bestanden (*.json)</translation>
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
        <source>Your unsent report is still here.</source>
        <extracomment>Whether the words typed are searched for articles and fixes (see attach). The desk queue the next report goes to (&quot;&quot;: the desk&apos;s default), fixed when saved.</extracomment>
        <translation>Je nog niet verstuurde melding staat er nog.</translation>
    </message>
    <message>
        <source>Its screenshot is from when you first opened it: take a new one if the screen shows something else now.</source>
        <translation>De schermafbeelding is van toen je de melding opende: maak een nieuwe als het scherm nu iets anders laat zien.</translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation>Bezig met voorbereiden…</translation>
    </message>
    <message>
        <source>Still preparing…</source>
        <translation>Nog bezig met voorbereiden…</translation>
    </message>
    <message>
        <source>Add files to your report</source>
        <translation>Bestanden toevoegen aan je melding</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Sluiten</translation>
    </message>
    <message>
        <source>Your report is saved and will be sent even if you close this window.</source>
        <translation>Je melding is bewaard en wordt verstuurd, ook als je dit venster sluit.</translation>
    </message>
    <message>
        <source>Your report has reached the service desk. Someone will pick it up; you can see where it is under “My tickets”, and we will let you know when something changes.</source>
        <translation>Je melding is bij de servicedesk aangekomen. Iemand pakt hem op; onder ‘Mijn meldingen’ zie je hoe ver hij is, en we laten het je weten als er iets verandert.</translation>
    </message>
    <message>
        <source>Your report is saved on this computer.</source>
        <translation>Je melding is bewaard op deze computer.</translation>
    </message>
    <message>
        <source>Your report goes to %1. %2 helps while %3 is away.</source>
        <translation>Je melding gaat naar %1. %2 helpt zolang %3 er niet is.</translation>
    </message>
    <message>
        <source>Your report goes to %1, %2.</source>
        <translation>Je melding gaat naar %1, %2.</translation>
    </message>
    <message>
        <source>Your report goes to the service desk of %1.</source>
        <translation>Je melding gaat naar de servicedesk van %1.</translation>
    </message>
    <message>
        <source>It will be sent automatically as soon as the service desk accepts it. You can see it, and why it waits, under “My tickets”.</source>
        <translation>Ze wordt vanzelf verstuurd zodra de servicedesk haar aanneemt. Onder ‘Mijn meldingen’ zie je haar, en waarom ze wacht.</translation>
    </message>
    <message>
        <source>It will be sent automatically as soon as the service desk can be reached; you do not need to do anything. You can see it under “My tickets”.</source>
        <translation>Ze wordt vanzelf verstuurd zodra de servicedesk bereikbaar is; je hoeft niets te doen. Je ziet haar onder ‘Mijn meldingen’.</translation>
    </message>
    <message>
        <source>The service desk did not accept your report.</source>
        <translation>De servicedesk heeft je melding niet aangenomen.</translation>
    </message>
    <message>
        <source>It is kept under “My tickets”, where you can change it and send it again.</source>
        <translation>Ze blijft bewaard onder ‘Mijn meldingen’, waar je haar kunt aanpassen en opnieuw versturen.</translation>
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
        <extracomment>How long Send waits for the diagnostics and the screenshot before it sends without them (ms).</extracomment>
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
        <source>Sends the report with the items listed. Without a network it waits and goes by itself later. Ctrl+Enter sends too.</source>
        <translation>Verstuurt de melding met de onderdelen in de lijst. Zonder netwerk wacht ze en gaat ze later vanzelf. Ctrl+Enter verstuurt ook.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
    <message>
        <source>Start over</source>
        <translation>Opnieuw beginnen</translation>
    </message>
    <message>
        <source>New screenshot</source>
        <translation>Nieuwe schermafbeelding</translation>
    </message>
    <message>
        <source>Take the picture of your screen again, as it is now</source>
        <translation>Maak de afbeelding van je scherm opnieuw, zoals het nu is</translation>
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
    <name>ReportItems</name>
    <message>
        <source>Diagnostics of this computer</source>
        <extracomment>Why it is missing (no screenshot possible, diagnostics failed).</extracomment>
        <translation>Diagnose van deze computer</translation>
    </message>
    <message>
        <source>Screenshot</source>
        <translation>Schermafbeelding</translation>
    </message>
    <message>
        <source>The diagnostics were not ready in time.</source>
        <translation>De diagnose was niet op tijd klaar.</translation>
    </message>
    <message>
        <source>The screenshot was not ready in time.</source>
        <translation>De schermafbeelding was niet op tijd klaar.</translation>
    </message>
    <message>
        <source>The diagnostics could not be collected.</source>
        <translation>De diagnose kon niet worden verzameld.</translation>
    </message>
    <message>
        <source>The screenshot could not be prepared.</source>
        <translation>De schermafbeelding kon niet worden voorbereid.</translation>
    </message>
</context>
<context>
    <name>ReportItemsView</name>
    <message>
        <source>Sent with your report (you decide):</source>
        <translation>Gaat mee met je melding (jij beslist):</translation>
    </message>
    <message>
        <source>Add a file…</source>
        <translation>Bestand toevoegen…</translation>
    </message>
    <message>
        <source>Show exactly what will be sent</source>
        <translation>Laat precies zien wat er wordt verstuurd</translation>
    </message>
    <message>
        <source>Collecting…</source>
        <translation>Bezig met verzamelen…</translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation>Bezig met voorbereiden…</translation>
    </message>
    <message>
        <source>Not available.</source>
        <translation>Niet beschikbaar.</translation>
    </message>
    <message>
        <source>Will not be sent. %1 · %2</source>
        <translation>Wordt niet verstuurd. %1 · %2</translation>
    </message>
    <message>
        <source>%1 · %2 · a summary goes at the top of your text</source>
        <translation>%1 · %2 · een samenvatting komt boven je tekst</translation>
    </message>
</context>
<context>
    <name>Screenshot</name>
    <message>
        <source>Your IT department has turned off screenshots.</source>
        <extracomment>Boxes and crops smaller than this (in screen pixels) are slips of the mouse.</extracomment>
        <translation>Je IT-afdeling heeft schermafbeeldingen uitgezet.</translation>
    </message>
    <message>
        <source>Screenshots are not possible on this desktop.</source>
        <translation>Schermafbeeldingen zijn op dit bureaublad niet mogelijk.</translation>
    </message>
    <message>
        <source>There is no screen to take a picture of.</source>
        <translation>Er is geen scherm om een afbeelding van te maken.</translation>
    </message>
    <message>
        <source>The screen could not be captured.</source>
        <translation>Het scherm kon niet worden vastgelegd.</translation>
    </message>
</context>
<context>
    <name>ScreenshotEditor</name>
    <message>
        <source>Edit the screenshot</source>
        <extracomment>Opaque boxes, in the picture&apos;s own pixels (before cropping). The keyboard&apos;s box, in picture pixels (made when the canvas first has the focus).</extracomment>
        <translation>Schermafbeelding bewerken</translation>
    </message>
    <message>
        <source>Drag over anything private to black it out. It is painted over for good: nothing under a black box is sent. Without a mouse: Tab to the picture, move the box with the arrow keys (Ctrl: its size), Enter to black it out.</source>
        <translation>Sleep over alles wat privé is om het zwart te maken. Het wordt voorgoed overgeschilderd: niets onder een zwart vak wordt verstuurd. Zonder muis: Tab naar de afbeelding, verplaats het vak met de pijltjestoetsen (Ctrl: de grootte), Enter om het zwart te maken.</translation>
    </message>
    <message>
        <source>Black out</source>
        <translation>Zwart maken</translation>
    </message>
    <message>
        <source>Keep only a part</source>
        <translation>Alleen een deel houden</translation>
    </message>
    <message>
        <source>All screens</source>
        <translation>Alle schermen</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Ongedaan maken</translation>
    </message>
    <message>
        <source>Start again</source>
        <translation>Opnieuw beginnen</translation>
    </message>
    <message>
        <source>Screenshot</source>
        <translation>Schermafbeelding</translation>
    </message>
    <message>
        <source>Arrow keys move the box, Ctrl with the arrow keys changes its size, Enter blacks it out (or keeps only that part).</source>
        <translation>De pijltjestoetsen verplaatsen het vak, Ctrl met de pijltjestoetsen verandert de grootte, Enter maakt het zwart (of houdt alleen dat deel).</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Klaar</translation>
    </message>
</context>
<context>
    <name>SealedTextBrowser</name>
    <message>
        <source>Article</source>
        <translation>Artikel</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in to the service desk</source>
        <translation>Inloggen bij de servicedesk</translation>
    </message>
    <message>
        <source>Your sign-in has expired. Please sign in again.</source>
        <translation>Je inlog is verlopen. Log opnieuw in.</translation>
    </message>
    <message>
        <source>Please enter your user name and password.</source>
        <extracomment>Signed in, but only until the app stops: said before the dialog closes.</extracomment>
        <translation>Vul je gebruikersnaam en wachtwoord in.</translation>
    </message>
    <message>
        <source>You are signed in, but only until the app or the computer restarts: this computer has no keyring (a safe place for passwords) the app can use, so you will be asked to sign in again then. Your IT department can set one up.</source>
        <translation>Je bent ingelogd, maar alleen tot de app of de computer opnieuw start: deze computer heeft geen sleutelbos (een veilige plek voor wachtwoorden) die de app kan gebruiken, dus dan wordt je opnieuw gevraagd in te loggen. Je IT-afdeling kan er een instellen.</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Inloggen…</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Inloggen</translation>
    </message>
</context>
<context>
    <name>SignInDialogView</name>
    <message>
        <source>Sign in with the user name and password you use for the service desk. You only need to do this once on this computer.</source>
        <translation>Log in met de gebruikersnaam en het wachtwoord die je voor de servicedesk gebruikt. Dat hoeft maar één keer op deze computer.</translation>
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
        <source>Keep me signed in on this computer</source>
        <translation>Aangemeld blijven op deze computer</translation>
    </message>
    <message>
        <source>Your password is kept in this computer&apos;s keyring, so the app can sign you in again by itself when the service desk ends your session.</source>
        <translation>Je wachtwoord wordt in de sleutelbos van deze computer bewaard, zodat de app je zelf opnieuw aanmeldt als de servicedesk je sessie beëindigt.</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Inloggen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
    <message>
        <source>Sign in with the user name and password you use for the service desk, or paste your API key instead of the password (in the service desk: My account, API access key). You only need to do this once on this computer.</source>
        <translation>Log in met de gebruikersnaam en het wachtwoord die je voor de servicedesk gebruikt, of plak je API-sleutel in plaats van het wachtwoord (in de servicedesk: Mijn account, API-toegangssleutel). Dat hoeft maar één keer op deze computer.</translation>
    </message>
    <message>
        <source>Password or API key</source>
        <translation>Wachtwoord of API-sleutel</translation>
    </message>
    <message>
        <source>Sign in with the user name and password you use for the service desk, or paste a personal access token instead of the password (in the service desk: your profile, Token Access). You only need to do this once on this computer.</source>
        <translation>Log in met de gebruikersnaam en het wachtwoord die je voor de servicedesk gebruikt, of plak een persoonlijk toegangstoken in plaats van het wachtwoord (in de servicedesk: je profiel, Token-toegang). Dat hoeft maar één keer op deze computer.</translation>
    </message>
    <message>
        <source>Password or token</source>
        <translation>Wachtwoord of token</translation>
    </message>
    <message>
        <source>Sign in with your service desk login name and an application password. Your own password does not work for apps: make an application password in the service desk under your settings, Application passwords, and paste it here. You only need to do this again when it expires.</source>
        <translation>Log in met je loginnaam voor de servicedesk en een applicatiewachtwoord. Je eigen wachtwoord werkt niet voor apps: maak in de servicedesk een applicatiewachtwoord aan onder je instellingen, Applicatiewachtwoorden, en plak het hier. Dat hoef je pas weer te doen als het verloopt.</translation>
    </message>
    <message>
        <source>Application password</source>
        <translation>Applicatiewachtwoord</translation>
    </message>
    <message>
        <source>Login name</source>
        <translation>Loginnaam</translation>
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
    <name>StageLine</name>
    <message>
        <source>%1: step %2 of %3</source>
        <extracomment>A stage&apos;s dot, and the current stage&apos;s (logical pixels).</extracomment>
        <translation>%1: stap %2 van %3</translation>
    </message>
</context>
<context>
    <name>SuggestionList</name>
    <message>
        <source>This may help right away:</source>
        <translation>Dit helpt misschien meteen:</translation>
    </message>
    <message>
        <source>Fix it yourself: IT&apos;s fix, run with your permission</source>
        <translation>Zelf oplossen: een oplossing van ICT, uitgevoerd met jouw toestemming</translation>
    </message>
    <message>
        <source>Read IT&apos;s article</source>
        <translation>Het artikel van ICT lezen</translation>
    </message>
    <message>
        <source>Fix it yourself</source>
        <translation>Zelf oplossen</translation>
    </message>
    <message>
        <source>Article</source>
        <translation>Artikel</translation>
    </message>
</context>
<context>
    <name>Ticket</name>
    <message>
        <source>Urgent</source>
        <translation>Dringend</translation>
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
    <name>TicketTracker</name>
    <message>
        <source>Your answer is with the service desk.</source>
        <extracomment>The handler&apos;s face, in pixels. What the tracker says once the desk has the user&apos;s action.</extracomment>
        <translation>Je antwoord is bij de servicedesk.</translation>
    </message>
    <message>
        <source>Thank you. The ticket is closed.</source>
        <translation>Bedankt. De melding is gesloten.</translation>
    </message>
    <message>
        <source>The service desk knows it is still broken. The ticket is open again.</source>
        <translation>De servicedesk weet dat het nog niet werkt. De melding staat weer open.</translation>
    </message>
    <message>
        <source>Thank you. The ticket is closed with your note.</source>
        <translation>Bedankt. De melding is gesloten, met je toelichting.</translation>
    </message>
    <message>
        <source>The service desk knows it is urgent now.</source>
        <translation>De servicedesk weet dat het nu dringend is.</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <extracomment>The last message of the ticket shown is the employee&apos;s (they have answered).</extracomment>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Expected by %1</source>
        <translation>Verwacht vóór %1</translation>
    </message>
    <message>
        <source>Was expected by %1</source>
        <translation>Werd verwacht vóór %1</translation>
    </message>
    <message>
        <source>Taking longer than usual: your tickets are usually dealt with within %1.</source>
        <translation>Duurt langer dan gewoonlijk: je meldingen worden meestal binnen %1 afgehandeld.</translation>
    </message>
    <message>
        <source>Usually dealt with within %1 (around %2)</source>
        <translation>Meestal binnen %1 afgehandeld (rond %2)</translation>
    </message>
    <message>
        <source>No expected time yet: the service desk has not set one, and too few of your earlier tickets are done to go by.</source>
        <translation>Nog geen verwachte tijd: de servicedesk heeft er geen gegeven, en er zijn te weinig eerdere meldingen van je afgerond om op af te gaan.</translation>
    </message>
    <message>
        <source>Handled by %1</source>
        <translation>Behandeld door %1</translation>
    </message>
    <message>
        <source>Not assigned to anyone yet</source>
        <translation>Nog aan niemand toegewezen</translation>
    </message>
    <message>
        <source>Loading the conversation…</source>
        <translation>Het gesprek wordt geladen…</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>%1 wordt geopend…</translation>
    </message>
    <message>
        <source>Add files to your reply</source>
        <translation>Bestanden bij je antwoord voegen</translation>
    </message>
    <message>
        <source>With your reply: %1</source>
        <translation>Bij je antwoord: %1</translation>
    </message>
    <message>
        <source>Write your reply first.</source>
        <translation>Schrijf eerst je antwoord.</translation>
    </message>
    <message>
        <source>Say what is still wrong, then press “Still broken”.</source>
        <translation>Zeg wat er nog mis is en klik dan op ‘Nog steeds kapot’.</translation>
    </message>
    <message>
        <source>Say why it is urgent now, then press the button again.</source>
        <translation>Zeg waarom het nu dringend is en klik dan nog eens op de knop.</translation>
    </message>
</context>
<context>
    <name>TicketsWindow</name>
    <message>
        <source>My tickets</source>
        <translation>Mijn meldingen</translation>
    </message>
    <message>
        <source>Delete this report?</source>
        <translation>Deze melding verwijderen?</translation>
    </message>
    <message>
        <source>“%1” may already have reached the service desk. Delete it from this computer? If it did arrive, the ticket stays at the service desk.</source>
        <translation>‘%1’ is misschien al bij de servicedesk aangekomen. Van deze computer verwijderen? Als ze is aangekomen, blijft de melding bij de servicedesk staan.</translation>
    </message>
    <message>
        <source>“%1” has not reached the service desk. Delete it from this computer?</source>
        <translation>‘%1’ is nog niet bij de servicedesk aangekomen. Van deze computer verwijderen?</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Verwijderen</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>Bewaren</translation>
    </message>
    <message>
        <source>You are not signed in to the service desk.</source>
        <translation>Je bent niet ingelogd bij de servicedesk.</translation>
    </message>
    <message>
        <source>Sign in to see your tickets.</source>
        <translation>Log in om je meldingen te zien.</translation>
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
        <source>My tickets</source>
        <translation>Mijn meldingen</translation>
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
        <source>Asks the service desk for the latest news on your tickets.</source>
        <translation>Vraagt de servicedesk om het laatste nieuws over je meldingen.</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>Inloggen…</translation>
    </message>
    <message>
        <source>Your tickets</source>
        <translation>Je meldingen</translation>
    </message>
    <message>
        <source>Enter opens the ticket.</source>
        <translation>Enter opent de melding.</translation>
    </message>
</context>
<context>
    <name>Time</name>
    <message>
        <source>Today, %1</source>
        <translation>vandaag, %1</translation>
    </message>
    <message>
        <source>Yesterday, %1</source>
        <translation>gisteren, %1</translation>
    </message>
    <message>
        <source>Tomorrow, %1</source>
        <translation>morgen, %1</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>1 minute</source>
        <translation>1 minuut</translation>
    </message>
    <message>
        <source>%1 minutes</source>
        <translation>%1 minuten</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 uur</translation>
    </message>
    <message>
        <source>%1 hours</source>
        <translation>%1 uur</translation>
    </message>
    <message>
        <source>1 day</source>
        <translation>1 dag</translation>
    </message>
    <message>
        <source>%1 days</source>
        <translation>%1 dagen</translation>
    </message>
</context>
<context>
    <name>Tracker</name>
    <message>
        <source>The service desk has your report. Someone will pick it up soon.</source>
        <translation>De servicedesk heeft je melding. Iemand pakt hem binnenkort op.</translation>
    </message>
    <message>
        <source>%1 has picked up your ticket and will look into it.</source>
        <translation>%1 heeft je melding opgepakt en gaat ernaar kijken.</translation>
    </message>
    <message>
        <source>%1 is working on it. You will hear from us as soon as there is news.</source>
        <translation>%1 is ermee bezig. Je hoort van ons zodra er nieuws is.</translation>
    </message>
    <message>
        <source>The service desk needs something from you: read the latest message and answer below.</source>
        <translation>De servicedesk heeft iets van je nodig: lees het laatste bericht en antwoord hieronder.</translation>
    </message>
    <message>
        <source>The service desk thinks it is solved. Is it? Say so, or tell us it is still broken.</source>
        <translation>De servicedesk denkt dat het is opgelost. Klopt dat? Laat het weten, of zeg dat het nog steeds kapot is.</translation>
    </message>
    <message>
        <source>This ticket is closed. If the problem comes back, you can reopen it.</source>
        <translation>Deze melding is gesloten. Komt het probleem terug, dan kun je hem heropenen.</translation>
    </message>
    <message>
        <source>This ticket was withdrawn at the service desk. Nothing more will happen.</source>
        <translation>Deze melding is bij de servicedesk ingetrokken. Er gebeurt verder niets mee.</translation>
    </message>
    <message>
        <source>Someone at the service desk</source>
        <translation>Iemand van de servicedesk</translation>
    </message>
    <message>
        <source>The service desk has your answer. %1 will take it from here.</source>
        <extracomment>Waiting for the employee, who has answered already (the last message is theirs).</extracomment>
        <translation>De servicedesk heeft je antwoord. %1 gaat ermee verder.</translation>
    </message>
</context>
<context>
    <name>TrackerView</name>
    <message>
        <source>← All tickets</source>
        <translation>← Alle meldingen</translation>
    </message>
    <message>
        <source>Your answer to the service desk</source>
        <translation>Je antwoord aan de servicedesk</translation>
    </message>
    <message>
        <source>Write to the service desk…</source>
        <translation>Schrijf aan de servicedesk…</translation>
    </message>
    <message>
        <source>Add a file…</source>
        <translation>Bestand toevoegen…</translation>
    </message>
    <message>
        <source>It&apos;s fixed</source>
        <translation>Het is opgelost</translation>
    </message>
    <message>
        <source>Still broken</source>
        <translation>Nog steeds kapot</translation>
    </message>
    <message>
        <source>It fixed itself</source>
        <translation>Het is vanzelf opgelost</translation>
    </message>
    <message>
        <source>This is urgent now</source>
        <translation>Dit is nu dringend</translation>
    </message>
    <message>
        <source>Send reply</source>
        <translation>Antwoord versturen</translation>
    </message>
    <message>
        <source>Tells the service desk the problem is solved: the ticket closes.</source>
        <translation>Laat de servicedesk weten dat het probleem is opgelost: de melding wordt gesloten.</translation>
    </message>
    <message>
        <source>Sends what you wrote above and opens the ticket again.</source>
        <translation>Verstuurt wat je hierboven schreef en opent de melding opnieuw.</translation>
    </message>
    <message>
        <source>Tells the service desk the problem went away by itself: the ticket closes with your note.</source>
        <translation>Laat de servicedesk weten dat het probleem vanzelf is verdwenen: de melding wordt gesloten met je opmerking.</translation>
    </message>
    <message>
        <source>Sends what you wrote above and asks for the ticket to be handled first.</source>
        <translation>Verstuurt wat je hierboven schreef en vraagt om de melding eerst te behandelen.</translation>
    </message>
    <message>
        <source>Sends what you wrote above, and the files you added.</source>
        <translation>Verstuurt wat je hierboven schreef, met de bestanden die je toevoegde.</translation>
    </message>
</context>
<context>
    <name>TrayApp</name>
    <message>
        <source>Your report “%1” has reached the service desk as ticket %2.</source>
        <translation>Je melding ‘%1’ is bij de servicedesk aangekomen en heeft nummer %2.</translation>
    </message>
    <message>
        <source>IT help</source>
        <translation>IT-hulp</translation>
    </message>
    <message>
        <source>Some settings on this computer could not be used, so the app uses safe defaults for them. Please tell your IT department:
%1</source>
        <extracomment>How often the tray host is looked for again before the tickets window shows instead: at log-in the panel often comes up after the apps it starts (about 95 s in all). The first health pass this many milliseconds after start (tests, the demo, benchmarks). The first wait for the tray host, doubling each time up to the longest (no busy polling). How long after start what start-up built is frozen out of the collector&apos;s passes. How long after a window closes its memory is handed back (its objects are gone by then). How long the report dialog stays away before the screen is taken again. How long after the panel closed the screen is taken for a report started in it. How long after a panel or a report opens the search helper is started (ms).</extracomment>
        <translation>Sommige instellingen op deze computer konden niet gebruikt worden; de app gebruikt daarvoor veilige standaardwaarden. Geef dit door aan je IT-afdeling:
%1</translation>
    </message>
    <message numerus="yes">
        <source>The list of reports waiting to be sent was damaged and has been set aside for your IT department (%1). %n report(s) could be saved from it.</source>
        <translation>
            <numerusform>De lijst met meldingen die nog verstuurd moesten worden was beschadigd en is apart gezet voor je IT-afdeling (%1). %n melding kon eruit gered worden.</numerusform>
            <numerusform>De lijst met meldingen die nog verstuurd moesten worden was beschadigd en is apart gezet voor je IT-afdeling (%1). %n meldingen konden eruit gered worden.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Open IT help</source>
        <translation>IT-hulp openen</translation>
    </message>
    <message>
        <source>Report a problem…</source>
        <translation>Probleem melden…</translation>
    </message>
    <message>
        <source>My tickets</source>
        <translation>Mijn meldingen</translation>
    </message>
    <message>
        <source>Help articles</source>
        <translation>Hulpartikelen</translation>
    </message>
    <message>
        <source>What IT ran here</source>
        <translation>Wat ICT hier uitvoerde</translation>
    </message>
    <message>
        <source>Health of this computer</source>
        <translation>Gezondheid van deze computer</translation>
    </message>
    <message>
        <source>Start when I log in</source>
        <translation>Starten als ik inlog</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>Inloggen…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Afsluiten</translation>
    </message>
    <message>
        <source>Your department</source>
        <extracomment>Whether the menu was ever opened: until then no card is worked out or built. &quot;Your department&quot; (made when a profile offers a choice): one checkable entry each. Changes to the menu&apos;s entries held back while it is open (see _while_closed).</extracomment>
        <translation>Je afdeling</translation>
    </message>
    <message>
        <source>Set by your IT department.</source>
        <translation>Ingesteld door je IT-afdeling.</translation>
    </message>
    <message numerus="yes">
        <source>My tickets (%n open)</source>
        <translation>
            <numerusform>Mijn meldingen (%n open)</numerusform>
            <numerusform>Mijn meldingen (%n open)</numerusform>
        </translation>
    </message>
    <message>
        <source>IT help</source>
        <translation>IT-hulp</translation>
    </message>
    <message>
        <source>Connecting to the service desk…</source>
        <translation>Verbinden met de servicedesk…</translation>
    </message>
    <message>
        <source>Sign in to report problems and follow your tickets.</source>
        <translation>Log in om problemen te melden en je meldingen te volgen.</translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) with news for you</source>
        <translation>
            <numerusform>%n melding met nieuws voor je</numerusform>
            <numerusform>%n meldingen met nieuws voor je</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n open ticket(s)</source>
        <translation>
            <numerusform>%n open melding</numerusform>
            <numerusform>%n open meldingen</numerusform>
        </translation>
    </message>
    <message>
        <source>Click to report a problem.</source>
        <translation>Klik om een probleem te melden.</translation>
    </message>
    <message numerus="yes">
        <source>%n report(s) waiting to be sent</source>
        <translation>
            <numerusform>%n melding wacht op verzending</numerusform>
            <numerusform>%n meldingen wachten op verzending</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n report(s) not accepted: see My tickets</source>
        <translation>
            <numerusform>%n melding niet aangenomen: zie Mijn meldingen</numerusform>
            <numerusform>%n meldingen niet aangenomen: zie Mijn meldingen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrayPanel</name>
    <message>
        <source>IT help</source>
        <translation>IT-hulp</translation>
    </message>
    <message>
        <source>What&apos;s wrong? Type it and press Enter</source>
        <translation>Wat is er mis? Typ het en druk op Enter</translation>
    </message>
    <message>
        <source>What&apos;s wrong?</source>
        <translation>Wat is er mis?</translation>
    </message>
    <message>
        <source>Press Enter to report it to the service desk, with a screenshot.</source>
        <translation>Druk op Enter om het met een schermafbeelding aan de servicedesk te melden.</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <extracomment>The matches under the box, made when there are first some to show.</extracomment>
        <translation>Inloggen…</translation>
    </message>
    <message>
        <source>Your open tickets</source>
        <translation>Je open meldingen</translation>
    </message>
    <message>
        <source>All my tickets</source>
        <translation>Al mijn meldingen</translation>
    </message>
    <message>
        <source>Health of this computer</source>
        <translation>Gezondheid van deze computer</translation>
    </message>
    <message numerus="yes">
        <source>Health: %n thing(s) to look at</source>
        <extracomment>Where it opened against (icon, pointer); ``None``: the window system places it.</extracomment>
        <translation>
            <numerusform>Gezondheid: %n punt om te bekijken</numerusform>
            <numerusform>Gezondheid: %n punten om te bekijken</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>All my tickets (%n more open)</source>
        <translation>
            <numerusform>Al mijn meldingen (nog %n open)</numerusform>
            <numerusform>Al mijn meldingen (nog %n open)</numerusform>
        </translation>
    </message>
    <message>
        <source>No open tickets. If something is wrong, say so above.</source>
        <translation>Geen open meldingen. Is er iets mis? Zeg het hierboven.</translation>
    </message>
    <message>
        <source>Looking up your tickets…</source>
        <translation>Je meldingen worden opgehaald…</translation>
    </message>
    <message numerus="yes">
        <source>Waiting to be sent (%n):</source>
        <translation>
            <numerusform>Wacht op verzending (%n):</numerusform>
            <numerusform>Wachten op verzending (%n):</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>and %n more</source>
        <translation>
            <numerusform>en nog %n</numerusform>
            <numerusform>en nog %n</numerusform>
        </translation>
    </message>
    <message>
        <source>Sign in to report problems and follow your tickets.</source>
        <translation>Log in om problemen te melden en je meldingen te volgen.</translation>
    </message>
</context>
<context>
    <name>Windows</name>
    <message>
        <source>%1 is open in its own program.</source>
        <extracomment>How long the report dialog stays away before the screen is taken again. How long after the panel closed the screen is taken for a report started in it. Reads an article&apos;s body for the articles window: (article, then, owner of the read). Words typed in the panel before the first sign-in: the report opens with them after.</extracomment>
        <translation>%1 is geopend in het eigen programma.</translation>
    </message>
    <message>
        <source>%1 is not a document or a picture, so it was not opened. It is in the folder that opened: open it from there only if you expected it.</source>
        <translation>%1 is geen document of afbeelding en is daarom niet geopend. Het staat in de map die is geopend: open het daar alleen als je het verwachtte.</translation>
    </message>
</context>
<context>
    <name>_Row</name>
    <message>
        <source>Black out or crop…</source>
        <translation>Zwart maken of bijsnijden…</translation>
    </message>
    <message>
        <source>Hide parts of the screenshot, or keep only a part, before it is sent.</source>
        <translation>Delen van de schermafbeelding verbergen, of alleen een deel houden, voordat ze wordt verstuurd.</translation>
    </message>
    <message>
        <source>Add back</source>
        <translation>Terugzetten</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Weghalen</translation>
    </message>
    <message>
        <source>Puts “%1” back into the report.</source>
        <translation>Zet “%1” weer in de melding.</translation>
    </message>
    <message>
        <source>Leaves “%1” out of the report.</source>
        <translation>Laat “%1” weg uit de melding.</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>helpdesk-tray needs a graphical desktop, and none could be reached here (DISPLAY and WAYLAND_DISPLAY are unset, or the display they name is gone).

On a computer without a screen, the demo shows the tray on a virtual screen and saves pictures of it: run `make screenshots` in the source folder.

The command-line tools work without a display: helpdesk-tray --help
</source>
        <extracomment>When the process began to start the tray: the start of &quot;how long the tray took to show&quot;. A credential handed over by a launcher (the demo, support sessions); never stored. Set to log every time the GUI thread was blocked long enough for a user to notice. The longest wait for the icon&apos;s first drawing before the app is built anyway (a tray host that takes the picture later, or never).</extracomment>
        <translation>helpdesk-tray heeft een grafisch bureaublad nodig, en dat is hier niet bereikbaar (DISPLAY en WAYLAND_DISPLAY zijn niet gezet, of het scherm dat ze noemen is weg).

Op een computer zonder scherm toont de demo het systeemvak op een virtueel scherm en bewaart er foto&apos;s van: voer `make screenshots` uit in de bronmap.

De opdrachtregelhulpmiddelen werken zonder scherm: helpdesk-tray --help
</translation>
    </message>
</context>
<context>
    <name>cli</name>
    <message>
        <source>this is needed too: %1</source>
        <translation>dit is ook nodig: %1</translation>
    </message>
    <message>
        <source>not understood: %1</source>
        <translation>niet begrepen: %1</translation>
    </message>
    <message>
        <source>there is no command %1 (see --help)</source>
        <translation>er is geen opdracht %1 (zie --help)</translation>
    </message>
    <message>
        <source>usage: </source>
        <translation>gebruik: </translation>
    </message>
    <message>
        <source>show this help and stop</source>
        <translation>deze hulp tonen en stoppen</translation>
    </message>
    <message>
        <source>arguments</source>
        <translation>argumenten</translation>
    </message>
    <message>
        <source>options</source>
        <translation>opties</translation>
    </message>
    <message>
        <source>%1: error: %2</source>
        <translation>%1: fout: %2</translation>
    </message>
    <message>
        <source>IT help in the system tray. Without a command: the tray.</source>
        <translation>IT-hulp in het systeemvak. Zonder opdracht: het systeemvak.</translation>
    </message>
    <message>
        <source>show the version and stop</source>
        <translation>de versie tonen en stoppen</translation>
    </message>
    <message>
        <source>commands</source>
        <translation>opdrachten</translation>
    </message>
    <message>
        <source>report a problem (saved first; sent now, or later by the tray)</source>
        <translation>een probleem melden (eerst bewaard; nu verstuurd, of later door het systeemvak)</translation>
    </message>
    <message>
        <source>the problem in a few words</source>
        <translation>het probleem in een paar woorden</translation>
    </message>
    <message>
        <source>what happened (optional)</source>
        <translation>wat er gebeurde (niet verplicht)</translation>
    </message>
    <message>
        <source>attach a file (repeat for more)</source>
        <translation>een bestand bijvoegen (herhaal voor meer)</translation>
    </message>
    <message>
        <source>do not send a diagnostics snapshot of this computer</source>
        <translation>geen diagnose van deze computer meesturen</translation>
    </message>
    <message>
        <source>show the diagnostics a report would carry</source>
        <translation>laat de diagnose zien die een melding zou meesturen</translation>
    </message>
    <message>
        <source>the JSON document itself</source>
        <translation>het JSON-document zelf</translation>
    </message>
    <message>
        <source>list your tickets</source>
        <translation>je meldingen tonen</translation>
    </message>
    <message>
        <source>machine-readable output</source>
        <translation>uitvoer voor programma&apos;s</translation>
    </message>
    <message>
        <source>sign in and keep the token in the keyring</source>
        <translation>inloggen en de sleutel in de sleutelbos bewaren</translation>
    </message>
    <message>
        <source>the service desk&apos;s address (default: from settings)</source>
        <translation>het adres van de servicedesk (standaard: uit de instellingen)</translation>
    </message>
    <message>
        <source>your user name at the service desk</source>
        <translation>je gebruikersnaam bij de servicedesk</translation>
    </message>
    <message>
        <source>read the password from standard input</source>
        <translation>het wachtwoord van standaardinvoer lezen</translation>
    </message>
    <message>
        <source>forget the stored sign-in</source>
        <translation>de bewaarde inlog vergeten</translation>
    </message>
    <message>
        <source>open the IT help panel (for a keyboard shortcut; starts the tray if needed)</source>
        <translation>open het IT-hulppaneel (voor een sneltoets; start de tray zo nodig)</translation>
    </message>
    <message>
        <source>The diagnostics could not be collected.</source>
        <translation>De diagnose kon niet worden verzameld.</translation>
    </message>
    <message>
        <source>There is no file %1.</source>
        <translation>Er is geen bestand %1.</translation>
    </message>
    <message>
        <source>Your report is ticket %1.</source>
        <translation>Je melding heeft nummer %1.</translation>
    </message>
    <message>
        <source>Not sent with it: %1 (%2).</source>
        <translation>Niet meegestuurd: %1 (%2).</translation>
    </message>
    <message>
        <source>The report is kept; you can change and resend it in the tray.</source>
        <translation>De melding blijft bewaard; je kunt haar in het systeemvak aanpassen en opnieuw versturen.</translation>
    </message>
    <message>
        <source>An earlier report, “%1”, is ticket %2.</source>
        <translation>Een eerdere melding, ‘%1’, heeft nummer %2.</translation>
    </message>
    <message>
        <source>Your report is saved on this computer; IT help sends it as soon as the service desk can be reached.</source>
        <translation>Je melding is bewaard op deze computer; IT-hulp verstuurt haar zodra de servicedesk bereikbaar is.</translation>
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
        <source>No safe place for passwords (a keyring) was found on this computer, so the sign-in cannot be kept. On Linux, install and unlock a Secret Service such as GNOME Keyring or KWallet, then sign in again.</source>
        <translation>Op deze computer is geen veilige plek voor wachtwoorden (een sleutelbos) gevonden, dus de inlog kan niet bewaard worden. Installeer en ontgrendel op Linux een Secret Service zoals GNOME Keyring of KWallet en log daarna opnieuw in.</translation>
    </message>
    <message>
        <source>Signed in as %1.</source>
        <translation>Ingelogd als %1.</translation>
    </message>
    <message>
        <source>Signed out.</source>
        <translation>Uitgelogd.</translation>
    </message>
</context>
</TS>
