""""Je" for young readers, "u" for adults (issue 15; B1, the house rule).

A young person (under 18) reading about their own request (a child takes part from 12,
art. 20.1 and 20.2; a child of 12 to 16 invited by a parent, art. 20.4) reads every
page and e-mail with "je/jij/jouw", never "u". Adults read "u". The texts stay written
once, in the "u" form, where they are used; this table gives the "je" form of each one
a young person can see. Who reads is decided by the view (``g.young``, see
portal/public/views.py) or, for an e-mail, by the service that sends it.

How it is applied, so that templates keep their ordinary ``_("...")``:
- the templates' ``_``/``gettext`` look the message id up here first when g.young is
  set (installed over Flask-Babel's callables by ``register``);
- texts that arrive already made (form labels, hints and errors, status and event
  names) pass the ``je`` filter, which the form macros apply;
- a letter (PDF), a copy's cover letter and an e-mail are made inside ``reading(young)``,
  young chosen from their addressee (services/notices.readers_are_young, the party of
  an e-mail), never from the member of staff or the worker who makes them;
- a message the system stored for the status page passes the ``stored_message``
  filter, which finds the "je" form when the page is shown (``STORED``).
English says "you" either way: each "je" message has the English of its "u" message.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, g, has_app_context
from flask_babel import get_translations
from flask_babel.speaklater import LazyString


def N_(text: str) -> str:
    """Marks a message id for extraction (Babel's default keyword); translated later."""
    return text


#: The "u" message id -> its "je" message id.
YOUNG: dict[str, str] = {
    # Seen again by a young person who goes back (the age is known by then).
    'Voor wie doet u het verzoek?': N_('Voor wie doe je het verzoek?'),
    'Kies voor wie u het verzoek doet.': N_('Kies voor wie je het verzoek doet.'),
    "Terug naar 'Voor wie doet u het verzoek?'": N_("Terug naar 'Voor wie doe je het verzoek?'"),
    'Uw eigen verklaring': N_('Je eigen verklaring'),
    'Schrijf op wat u wilt toevoegen aan het dossier. Wij voegen het toe zoals u het schrijft. Het komt in elke kopie die u later krijgt.': N_('Schrijf op wat je wilt toevoegen aan het dossier. Wij voegen het toe zoals je het schrijft. Het komt in elke kopie die je later krijgt.'),
    'U heeft al een PDF toegevoegd. Kiest u een nieuwe, dan vervangt die de oude.': N_('Je hebt al een PDF toegevoegd. Kies je een nieuwe, dan vervangt die de oude.'),
    'Laten zien wie u bent': N_('Laten zien wie je bent'),
    'Wij moeten zeker weten dat u het bent. Zo voorkomen wij dat iemand anders uw gegevens krijgt.': N_('Wij moeten zeker weten dat jij het bent. Zo voorkomen wij dat iemand anders jouw gegevens krijgt.'),
    'Maak uw kopie veilig': N_('Maak je kopie veilig'),
    'Maak uw burgerservicenummer (BSN) onzichtbaar.': N_('Maak je burgerservicenummer (BSN) onzichtbaar.'),
    'Maak uw pasfoto onzichtbaar.': N_('Maak je pasfoto onzichtbaar.'),
    'Met de gratis app KopieID van de Rijksoverheid doet u dit makkelijk op uw telefoon.': N_('Met de gratis app KopieID van de Rijksoverheid doe je dit makkelijk op je telefoon.'),
    'U heeft al een kopie toegevoegd. Kiest u een nieuwe, dan vervangt die de oude.': N_('Je hebt al een kopie toegevoegd. Kies je een nieuwe, dan vervangt die de oude.'),
    'Een PDF, JPG of PNG van hoogstens 10 MB. Alleen nodig als u een kopie meestuurt.': N_('Een PDF, JPG of PNG van hoogstens 10 MB. Alleen nodig als je een kopie meestuurt.'),
    'Wij bewaren de kopie alleen tot wij hebben gecontroleerd wie u bent. Daarna verwijderen wij haar.': N_('Wij bewaren de kopie alleen tot wij hebben gecontroleerd wie je bent. Daarna verwijderen wij haar.'),
    'Na het versturen ziet u een code. Die geeft u zelf aan de ander.': N_('Na het versturen zie je een code. Die geef je zelf aan de ander.'),
    'Hoe mogen wij u bereiken?': N_('Hoe mogen wij je bereiken?'),
    'Denk erover na wie uw e-mail, telefoon of post kan zien. Kies alleen wat veilig is. Op de volgende pagina vult u alleen de gegevens in van wat u kiest.': N_('Denk erover na wie je e-mail, telefoon of post kan zien. Kies alleen wat veilig is. Op de volgende pagina vul je alleen de gegevens in van wat je kiest.'),
    'U kunt meer dan één manier kiezen.': N_('Je kunt meer dan één manier kiezen.'),
    'U krijgt dan een wachtzin. Dat is een rij woorden. Daarmee volgt u uw verzoek op deze website.': N_('Je krijgt dan een wachtzin. Dat is een rij woorden. Daarmee volg je je verzoek op deze website.'),
    'Heeft Veilig Thuis na onderzoek gezegd dat de melding niet klopte? Dan moet Veilig Thuis uw gegevens vernietigen als u dat vraagt.': N_('Heeft Veilig Thuis na onderzoek gezegd dat de melding niet klopte? Dan moet Veilig Thuis jouw gegevens vernietigen als je dat vraagt.'),
    'U hoeft geen reden te geven, maar het helpt ons.': N_('Je hoeft geen reden te geven, maar het helpt ons.'),
    'Kies wat bij u past. U kunt meer dan één reden kiezen.': N_('Kies wat bij jou past. Je kunt meer dan één reden kiezen.'),
    'Over u': N_('Over jou'),
    'Vul uw gegevens in zoals ze in uw paspoort of identiteitskaart staan.': N_('Vul je gegevens in zoals ze in je paspoort of identiteitskaart staan.'),
    'Dit helpt ons om u te vinden. U hoeft het niet in te vullen. Het staat op uw paspoort of identiteitskaart.': N_('Dit helpt ons om jou te vinden. Je hoeft het niet in te vullen. Het staat op je paspoort of identiteitskaart.'),
    'Hoe wilt u het afschrift krijgen?': N_('Hoe wil je het afschrift krijgen?'),
    'U krijgt bericht als het klaar is. U downloadt het na een extra controle dat u het bent.': N_('Je krijgt bericht als het klaar is. Je downloadt het na een extra controle dat jij het bent.'),
    'U maakt een afspraak en neemt uw identiteitsbewijs mee.': N_('Je maakt een afspraak en neemt je identiteitsbewijs mee.'),
    "Correctie is voor feiten: bijvoorbeeld een verkeerde datum, naam of gebeurtenis. Bent u het oneens met een mening of beoordeling? Kies dan ook 'eigen verklaring'.": N_("Correctie is voor feiten: bijvoorbeeld een verkeerde datum, naam of gebeurtenis. Ben je het oneens met een mening of beoordeling? Kies dan ook 'eigen verklaring'."),
    'Schrijf op waar het staat als u dat weet, bijvoorbeeld de datum van het gesprek.': N_('Schrijf op waar het staat als je dat weet, bijvoorbeeld de datum van het gesprek.'),
    'Uw contactgegevens': N_('Je contactgegevens'),
    'Uw adres': N_('Je adres'),
    'Wat wilt u vragen?': N_('Wat wil je vragen?'),
    'U kunt meer dan één ding kiezen.': N_('Je kunt meer dan één ding kiezen.'),
    'Uw rechten': N_('Jouw rechten'),
    'Uw verzoek volgen': N_('Je verzoek volgen'),
    'Controleer uw antwoorden': N_('Controleer je antwoorden'),
    'U bent': N_('Je bent'),
    'Uw naam': N_('Je naam'),
    'Uw geboortedatum': N_('Je geboortedatum'),
    'Uw BSN': N_('Je BSN'),
    'U vraagt': N_('Je vraagt'),
    'Uw verklaring': N_('Je verklaring'),
    'Met een code die u zelf doorgeeft': N_('Met een code die je zelf doorgeeft'),
    'Uw verzoek is verstuurd': N_('Je verzoek is verstuurd'),
    'Uw kenmerk is': N_('Je kenmerk is'),
    'Schrijf dit kenmerk op of bewaar het op een veilige plek. U heeft het nodig om uw verzoek te volgen.': N_('Schrijf dit kenmerk op of bewaar het op een veilige plek. Je hebt het nodig om je verzoek te volgen.'),
    'Uw wachtzin': N_('Je wachtzin'),
    'Met het kenmerk en deze wachtzin volgt u uw verzoek op deze website. U ziet de wachtzin maar één keer. Schrijf haar op en bewaar haar op een veilige plek. Wij kunnen haar niet opnieuw laten zien.': N_('Met het kenmerk en deze wachtzin volg je je verzoek op deze website. Je ziet de wachtzin maar één keer. Schrijf haar op en bewaar haar op een veilige plek. Wij kunnen haar niet opnieuw laten zien.'),
    'U krijgt een e-mail met een link. Klik op de link om uw e-mailadres te bevestigen. Pas daarna gaan wij met uw verzoek aan de slag. Doet u dat niet binnen %(days)s dagen? Dan verwijderen wij het verzoek.': N_('Je krijgt een e-mail met een link. Klik op de link om je e-mailadres te bevestigen. Pas daarna gaan wij met je verzoek aan de slag. Doe je dat niet binnen %(days)s dagen? Dan verwijderen wij het verzoek.'),
    'Een medewerker controleert wie u bent. Soms vragen wij u om meer informatie.': N_('Een medewerker controleert wie je bent. Soms vragen wij je om meer informatie.'),
    'Wij geven u uiterlijk op deze datum antwoord:': N_('Wij geven je uiterlijk op deze datum antwoord:'),
    'Soms hebben wij meer tijd nodig voor inzage of een afschrift. Dan hoort u dat binnen de eerste maand, met de reden.': N_('Soms hebben wij meer tijd nodig voor inzage of een afschrift. Dan hoor je dat binnen de eerste maand, met de reden.'),
    'Stoppen en uw antwoorden wissen?': N_('Stoppen en je antwoorden wissen?'),
    'Wij wissen dan alles wat u tot nu toe heeft ingevuld, ook de bestanden die u heeft toegevoegd. Uw verzoek wordt niet verstuurd. Dit kunt u niet ongedaan maken.': N_('Wij wissen dan alles wat je tot nu toe hebt ingevuld, ook de bestanden die je hebt toegevoegd. Je verzoek wordt niet verstuurd. Dit kun je niet ongedaan maken.'),
    'U bent uitgenodigd om mee te doen aan een verzoek. Klik op de knop om verder te gaan.': N_('Je bent uitgenodigd om mee te doen aan een verzoek. Klik op de knop om verder te gaan.'),
    'Uw gegevens': N_('Je gegevens'),
    'U hoeft dit niet in te vullen.': N_('Je hoeft dit niet in te vullen.'),
    'Alleen als het veilig is dat wij u e-mailen.': N_('Alleen als het veilig is dat wij je e-mailen.'),
    'Maak op de kopie uw burgerservicenummer (BSN) en pasfoto onzichtbaar. Met de gratis app KopieID van de Rijksoverheid doet u dit makkelijk.': N_('Maak op de kopie je burgerservicenummer (BSN) en pasfoto onzichtbaar. Met de gratis app KopieID van de Rijksoverheid doe je dit makkelijk.'),
    'U doet mee': N_('Je doet mee'),
    'U doet mee aan het verzoek': N_('Je doet mee aan het verzoek'),
    'Een medewerker controleert wie u bent. Daarna gaan wij met het verzoek aan de slag.': N_('Een medewerker controleert wie je bent. Daarna gaan wij met het verzoek aan de slag.'),
    'Uw verzoek': N_('Je verzoek'),
    'Uw verzoek is afgerond: u heeft op alles wat u vroeg een antwoord gekregen.': N_('Je verzoek is afgerond: je hebt op alles wat je vroeg een antwoord gekregen.'),
    'Uw afschrift': N_('Je afschrift'),
    'Uw afschrift wordt klaargemaakt. Kijk over een paar minuten opnieuw.': N_('Je afschrift wordt klaargemaakt. Kijk over een paar minuten opnieuw.'),
    'Van u': N_('Van jou'),
    'Uw antwoord': N_('Je antwoord'),
    'Met uw wachtzin': N_('Met je wachtzin'),
    'Kreeg u een wachtzin toen u het verzoek verstuurde? Vul dan het kenmerk en de wachtzin in.': N_('Kreeg je een wachtzin toen je het verzoek verstuurde? Vul dan het kenmerk en de wachtzin in.'),
    'Uw wachtzin is de rij woorden die u kreeg toen u het verzoek verstuurde. Hoofdletters maken niet uit, en een tikfout in een woord ook niet.': N_('Je wachtzin is de rij woorden die je kreeg toen je het verzoek verstuurde. Hoofdletters maken niet uit, en een tikfout in een woord ook niet.'),
    'Wilt u iets vragen of iets toevoegen aan uw verzoek? Schrijf het hier. Een medewerker leest uw bericht.': N_('Wil je iets vragen of iets toevoegen aan je verzoek? Schrijf het hier. Een medewerker leest je bericht.'),
    'Wilt u dit verzoek niet meer? Dan kunt u het hier intrekken.': N_('Wil je dit verzoek niet meer? Dan kun je het hier intrekken.'),
    'Wij stoppen met uw verzoek. U krijgt er geen antwoord meer op.': N_('Wij stoppen met je verzoek. Je krijgt er geen antwoord meer op.'),
    'Wat u heeft meegestuurd, zoals een kopie van uw identiteitsbewijs, verwijderen wij meteen.': N_('Wat je hebt meegestuurd, zoals een kopie van je identiteitsbewijs, verwijderen wij meteen.'),
    'Heeft u al een afschrift of een brief gekregen? Dat blijft zoals het is.': N_('Heb je al een afschrift of een brief gekregen? Dat blijft zoals het is.'),
    'Intrekken kunt u niet terugdraaien. Wilt u later toch iets vragen? Dan doet u een nieuw verzoek.': N_('Intrekken kun je niet terugdraaien. Wil je later toch iets vragen? Dan doe je een nieuw verzoek.'),
    'Dit verzoek kunt u hier niet intrekken. Het is al afgerond of ingetrokken, of u heeft het niet zelf ingediend.': N_('Dit verzoek kun je hier niet intrekken. Het is al afgerond of ingetrokken, of je hebt het niet zelf ingediend.'),
    'Terug naar uw verzoek': N_('Terug naar je verzoek'),
    'Klik op de knop om uw verzoek te bekijken.': N_('Klik op de knop om je verzoek te bekijken.'),
    'Uw afschrift ophalen': N_('Je afschrift ophalen'),
    'Uw afschrift bevat gegevens over u. Daarom vragen wij u nog één keer te laten zien dat u het bent.': N_('Je afschrift bevat gegevens over jou. Daarom vragen wij je nog één keer te laten zien dat jij het bent.'),
    'Wij sturen een code naar uw e-mailadres. De code werkt één keer en is 15 minuten geldig.': N_('Wij sturen een code naar je e-mailadres. De code werkt één keer en is 15 minuten geldig.'),
    'U krijgt de code van uw medewerker van Veilig Thuis, bijvoorbeeld door de telefoon. Heeft u nog geen code? Bel ons: 0800-2000.': N_('Je krijgt de code van je medewerker van Veilig Thuis, bijvoorbeeld door de telefoon. Heb je nog geen code? Bel ons: 0800-2000.'),
    'De woorden die u kreeg toen u het verzoek verstuurde, met spaties ertussen.': N_('De woorden die je kreeg toen je het verzoek verstuurde, met spaties ertussen.'),
    'U kunt het afschrift nog %(n)s keer downloaden, tot %(date)s.': N_('Je kunt het afschrift nog %(n)s keer downloaden, tot %(date)s.'),
    'Bijvoorbeeld een duidelijkere kopie van uw identiteitsbewijs. Een PDF, JPG of PNG van hoogstens 10 MB.': N_('Bijvoorbeeld een duidelijkere kopie van je identiteitsbewijs. Een PDF, JPG of PNG van hoogstens 10 MB.'),
    'Uw e-mailadres is bevestigd': N_('Je e-mailadres is bevestigd'),
    'Wij hebben uw verzoek ontvangen. Een medewerker gaat ermee aan de slag.': N_('Wij hebben je verzoek ontvangen. Een medewerker gaat ermee aan de slag.'),
    'Klik op de knop om uw e-mailadres te bevestigen. Daarna gaan wij met uw verzoek aan de slag.': N_('Klik op de knop om je e-mailadres te bevestigen. Daarna gaan wij met je verzoek aan de slag.'),
    'Bevestig uw e-mailadres via deze link:': N_('Bevestig je e-mailadres via deze link:'),
    'De link werkt één keer. Heeft u niets aangevraagd? Dan kunt u deze e-mail negeren.': N_('De link werkt één keer. Heb je niets aangevraagd? Dan kun je deze e-mail negeren.'),
    'U vroeg om een code. Uw code is:': N_('Je vroeg om een code. Je code is:'),
    'De code werkt één keer en is 15 minuten geldig. Vul de code in op de pagina waar u hem aanvroeg.': N_('De code werkt één keer en is 15 minuten geldig. Vul de code in op de pagina waar je hem aanvroeg.'),
    'Heeft u niets aangevraagd? Dan kunt u deze e-mail negeren.': N_('Heb je niets aangevraagd? Dan kun je deze e-mail negeren.'),
    'U bent uitgenodigd om mee te doen. Open deze link:': N_('Je bent uitgenodigd om mee te doen. Open deze link:'),
    'De link werkt één keer. Weet u niet waar dit over gaat? Dan kunt u deze e-mail negeren.': N_('De link werkt één keer. Weet je niet waar dit over gaat? Dan kun je deze e-mail negeren.'),
    'Er is nieuws over uw verzoek. Log in om het te lezen:': N_('Er is nieuws over je verzoek. Log in om het te lezen:'),
    'Via deze link ziet u de stand van zaken:': N_('Via deze link zie je hoe het met je verzoek gaat:'),
    'De link werkt één keer en 30 minuten lang. Heeft u niets aangevraagd? Dan kunt u deze e-mail negeren.': N_('De link werkt één keer en 30 minuten lang. Heb je niets aangevraagd? Dan kun je deze e-mail negeren.'),
    'Kies minstens één ding dat u wilt vragen.': N_('Kies minstens één ding dat je wilt vragen.'),
    'Schrijf op wat er volgens u moet staan.': N_('Schrijf op wat er volgens jou moet staan.'),
    'Waarom wilt u dat het dossier wordt vernietigd?': N_('Waarom wil je dat het dossier wordt vernietigd?'),
    'Welke gegevens, en wat wilt u nog uitleggen?': N_('Welke gegevens, en wat wil je nog uitleggen?'),
    'Kies hoe u het afschrift wilt krijgen.': N_('Kies hoe je het afschrift wilt krijgen.'),
    'Hoe laat u zien wie u bent?': N_('Hoe laat je zien wie je bent?'),
    'Kies hoe u laat zien wie u bent.': N_('Kies hoe je laat zien wie je bent.'),
    'Kopie van uw identiteitsbewijs': N_('Kopie van je identiteitsbewijs'),
    'Per brief op uw huisadres': N_('Per brief op je huisadres'),
    "Kies hoe wij u mogen bereiken, of kies 'Liever niet'.": N_("Kies hoe wij je mogen bereiken, of kies 'Liever niet'."),
    "Kies 'Liever niet' alleen als wij u op geen enkele manier mogen bereiken.": N_("Kies 'Liever niet' alleen als wij je op geen enkele manier mogen bereiken."),
    'U mag een bericht inspreken op mijn voicemail': N_('Veilig Thuis mag een bericht inspreken op mijn voicemail'),
    'Vul uw e-mailadres in.': N_('Vul je e-mailadres in.'),
    'Vul uw telefoonnummer in.': N_('Vul je telefoonnummer in.'),
    'Zet een vinkje om te bevestigen dat u de vragen naar waarheid heeft ingevuld.': N_('Zet een vinkje om te bevestigen dat je de vragen naar waarheid hebt ingevuld.'),
    'Uw e-mailadres': N_('Je e-mailadres'),
    'Schrijf uw antwoord.': N_('Schrijf je antwoord.'),
    'Kies een bestand met de kopie van uw identiteitsbewijs.': N_('Kies een bestand met de kopie van je identiteitsbewijs.'),
    'Uw antwoorden zijn gewist.': N_('Je antwoorden zijn gewist.'),
    'Schrijf uw verklaring, of voeg een PDF toe.': N_('Schrijf je verklaring, of voeg een PDF toe.'),
    'Voeg uw verklaring toe als PDF, of schrijf haar in het tekstvak.': N_('Voeg je verklaring toe als PDF, of schrijf haar in het tekstvak.'),
    'Vul het e-mailadres van de ander in, niet uw eigen adres.': N_('Vul het e-mailadres van de ander in, niet je eigen adres.'),
    'Kies een bestand, of kies dat u het laat zien bij Veilig Thuis.': N_('Kies een bestand, of kies dat je het laat zien bij Veilig Thuis.'),
    'Dit is het e-mailadres dat u voor de ander gaf. Vul uw eigen e-mailadres in.': N_('Dit is het e-mailadres dat je voor de ander gaf. Vul je eigen e-mailadres in.'),
    'Er ontbreekt nog iets. Controleer uw antwoorden.': N_('Er ontbreekt nog iets. Controleer je antwoorden.'),
    'Deze combinatie van kenmerk en wachtzin kennen wij niet. Controleer wat u heeft ingevuld.': N_('Deze combinatie van kenmerk en wachtzin kennen wij niet. Controleer wat je hebt ingevuld.'),
    'Dit verzoek is afgesloten. U kunt geen bericht meer sturen.': N_('Dit verzoek is afgesloten. Je kunt geen bericht meer sturen.'),
    'Uw bericht is verstuurd.': N_('Je bericht is verstuurd.'),
    'U heeft te vaak een verkeerde code ingevuld. Vraag een nieuwe code aan.': N_('Je hebt te vaak een verkeerde code ingevuld. Vraag een nieuwe code aan.'),
    'Uw afschrift wordt nog klaargemaakt. Kijk over een paar minuten opnieuw.': N_('Je afschrift wordt nog klaargemaakt. Kijk over een paar minuten opnieuw.'),
    'Wij kunnen u geen code per e-mail sturen. Bel ons: 0800-2000.': N_('Wij kunnen je geen code per e-mail sturen. Bel ons: 0800-2000.'),
    'Wij hebben een code naar uw e-mailadres gestuurd. De code is 15 minuten geldig.': N_('Wij hebben een code naar je e-mailadres gestuurd. De code is 15 minuten geldig.'),
    'Uw verzoek is ingetrokken. Wat u had meegestuurd, is verwijderd.': N_('Je verzoek is ingetrokken. Wat je had meegestuurd, is verwijderd.'),
    'Wacht op bevestiging van uw e-mailadres': N_('Wacht op bevestiging van je e-mailadres'),
    'Wij wachten op informatie van u': N_('Wij wachten op informatie van jou'),
    'U stuurde een bericht': N_('Je stuurde een bericht'),
    'Uw afschrift staat klaar': N_('Je afschrift staat klaar'),
    'Uw afschrift is ingetrokken, omdat er gegevens uit het dossier zijn vernietigd of gewist (zie het bericht)': N_('Je afschrift is ingetrokken, omdat er gegevens uit het dossier zijn vernietigd of gewist (zie het bericht)'),
    'U heeft uw gegevens ingezien': N_('Je hebt je gegevens ingezien'),
    'U heeft uw verzoek ingetrokken': N_('Je hebt je verzoek ingetrokken'),
    'Wat u meestuurde is verwijderd': N_('Wat je meestuurde is verwijderd'),
    'U heeft een besluit gekregen (zie de brieven).': N_('Je hebt een besluit gekregen (zie de brieven).'),
    'Uw afschrift staat voor u klaar om te downloaden.': N_('Je afschrift staat voor je klaar om te downloaden.'),
    'U heeft uw afschrift bij Veilig Thuis gekregen.': N_('Je hebt je afschrift bij Veilig Thuis gekregen.'),
    'U heeft uw gegevens ingezien.': N_('Je hebt je gegevens ingezien.'),
    'Kijk in uw e-mail': N_('Kijk in je e-mail'),
    'Als het kenmerk en het e-mailadres kloppen en uw e-mailadres is bevestigd, krijgt u binnen een paar minuten een e-mail met een link. De link werkt één keer en 30 minuten lang.': N_('Als het kenmerk en het e-mailadres kloppen en je e-mailadres is bevestigd, krijg je binnen een paar minuten een e-mail met een link. De link werkt één keer en 30 minuten lang.'),
    'Geen e-mail gekregen? Kijk ook in uw map met ongewenste e-mail, of bel ons.': N_('Geen e-mail gekregen? Kijk ook in je map met ongewenste e-mail, of bel ons.'),
    # DigiD (issue 11): the identity step, a level below the minimum, the BSN choice, joining.
    'U logde in met DigiD op niveau %(level)s. Voor dit verzoek is minstens niveau %(minimum)s nodig, omdat het om gevoelige gegevens gaat.': N_('Je logde in met DigiD op niveau %(level)s. Voor dit verzoek is minstens niveau %(minimum)s nodig, omdat het om gevoelige gegevens gaat.'),
    'Stuur daarom ook een kopie van uw identiteitsbewijs mee, of laat het zien bij Veilig Thuis. Dat kiest u hieronder.': N_('Stuur daarom ook een kopie van je identiteitsbewijs mee, of laat het zien bij Veilig Thuis. Dat kies je hieronder.'),
    'U bent ingelogd met DigiD, niveau %(level)s. Uw burgerservicenummer (BSN) eindigt op %(end)s.': N_('Je bent ingelogd met DigiD, niveau %(level)s. Je burgerservicenummer (BSN) eindigt op %(end)s.'),
    'U bent ingelogd met DigiD, niveau %(level)s. Uw burgerservicenummer (BSN) eindigt op %(end)s. Kies hieronder: Ik ben ingelogd met DigiD.': N_('Je bent ingelogd met DigiD, niveau %(level)s. Je burgerservicenummer (BSN) eindigt op %(end)s. Kies hieronder: Ik ben ingelogd met DigiD.'),
    'Gebruikt u een computer of telefoon van iemand anders? Sluit dan als u klaar bent alle vensters van de browser. Anders kan DigiD nog ingelogd zijn.': N_('Gebruik je een computer of telefoon van iemand anders? Sluit dan als je klaar bent alle vensters van de browser. Anders kan DigiD nog ingelogd zijn.'),
    'Met DigiD hoeft u geen kopie te sturen en niet langs te komen. U heeft wel DigiD op niveau %(minimum)s of hoger nodig.': N_('Met DigiD hoef je geen kopie te sturen en niet langs te komen. Je hebt wel DigiD op niveau %(minimum)s of hoger nodig.'),
    'U heeft het inloggen met DigiD afgebroken. Er is niets bewaard. Kies hieronder hoe u verder wilt.': N_('Je hebt het inloggen met DigiD afgebroken. Er is niets bewaard. Kies hieronder hoe je verder wilt.'),
    'Het BSN van DigiD eindigt op %(digid)s. Het BSN dat u zelf invulde eindigt op %(typed)s. Dat is niet hetzelfde.': N_('Het BSN van DigiD eindigt op %(digid)s. Het BSN dat je zelf invulde eindigt op %(typed)s. Dat is niet hetzelfde.'),
    'Is het BSN dat u invulde goed? Dan was dit niet uw DigiD, en laat u op een andere manier zien wie u bent.': N_('Is het BSN dat je invulde goed? Dan was dit niet jouw DigiD, en laat je op een andere manier zien wie je bent.'),
    'Log opnieuw in met DigiD, of kies een andere manier om te laten zien wie u bent.': N_('Log opnieuw in met DigiD, of kies een andere manier om te laten zien wie je bent.'),
    'Dit BSN is niet het BSN van uw DigiD. Vul het BSN van uw DigiD in, laat het leeg, of kies een andere manier om te laten zien wie u bent.': N_('Dit BSN is niet het BSN van jouw DigiD. Vul het BSN van je DigiD in, laat het leeg, of kies een andere manier om te laten zien wie je bent.'),
    # Letters (PDF) addressed to a young person, templates/pdf/: chosen from the letter's
    # readers (services/notices.readers_are_young), not from who makes it.
    'Heeft u vragen? Bel ons: %(phone)s. Noem dan het kenmerk van uw verzoek.': N_('Heb je vragen? Bel ons: %(phone)s. Noem dan het kenmerk van je verzoek.'),
    'Heeft u vragen? Bel ons: %(phone)s. Noem dan het kenmerk van deze brief.': N_('Heb je vragen? Bel ons: %(phone)s. Noem dan het kenmerk van deze brief.'),
    'Besluit op uw verzoek': N_('Besluit op je verzoek'),
    'U heeft ons gevraagd om: %(right)s. Dit recht staat in artikel %(article)s van het Privacyreglement Veilig Thuis.': N_('Je hebt ons gevraagd om: %(right)s. Dit recht staat in artikel %(article)s van het Privacyreglement Veilig Thuis.'),
    'Wij wijzen uw verzoek toe.': N_('Wij wijzen je verzoek toe.'),
    'Wij wijzen uw verzoek voor een deel toe. Voor het andere deel wijzen wij het af.': N_('Wij wijzen je verzoek voor een deel toe. Voor het andere deel wijzen wij het af.'),
    'Wij wijzen uw verzoek af.': N_('Wij wijzen je verzoek af.'),
    'U heeft ons gevraagd om: %(right)s. Wij hebben meer tijd nodig om uw verzoek goed te behandelen. U krijgt uiterlijk op %(date)s antwoord.': N_('Je hebt ons gevraagd om: %(right)s. Wij hebben meer tijd nodig om je verzoek goed te behandelen. Je krijgt uiterlijk op %(date)s antwoord.'),
    'Bent u het niet eens met dit besluit?': N_('Ben je het niet eens met dit besluit?'),
    'Bent u het niet eens met dit afschrift?': N_('Ben je het niet eens met dit afschrift?'),
    'Vindt u dat wij ons niet aan de regels houden? Dan kunt u dit doen (artikel 21):': N_('Vind je dat wij ons niet aan de regels houden? Dan kun je dit doen (artikel 21):'),
    'Lost dat niets op, of wilt u geen gesprek? Vraag een onafhankelijke vertrouwenspersoon om hulp, of vraag om bemiddeling door een klachtenfunctionaris.': N_('Lost dat niets op, of wil je geen gesprek? Vraag een onafhankelijke vertrouwenspersoon om hulp, of vraag om bemiddeling door een klachtenfunctionaris.'),
    'Helpt bemiddeling niet? Dan kunt u een brief sturen naar de klachtencommissie.': N_('Helpt bemiddeling niet? Dan kun je een brief sturen naar de klachtencommissie.'),
    'U kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens. Daar vindt u ook meer informatie over uw privacy: www.autoriteitpersoonsgegevens.nl.': N_('Je kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens. Daar vind je ook meer informatie over je privacy: www.autoriteitpersoonsgegevens.nl.'),
    'U kunt ook naar de rechter gaan.': N_('Je kunt ook naar de rechter gaan.'),
    'Bel ons als u hulp wilt bij een klacht: %(phone)s.': N_('Bel ons als je hulp wilt bij een klacht: %(phone)s.'),
    'U schreef dat er nu staat:': N_('Je schreef dat er nu staat:'),
    'Volgens u moet er staan:': N_('Volgens jou moet er staan:'),
    'Wij verbeteren dit. In elke kopie die u later van ons krijgt, staat de verbeterde tekst, met de datum van de correctie.': N_('Wij verbeteren dit. In elke kopie die je later van ons krijgt, staat de verbeterde tekst, met de datum van de correctie.'),
    'Wij verwijderen dit uit het dossier. Het staat niet meer in een kopie die u later van ons krijgt.': N_('Wij verwijderen dit uit het dossier. Het staat niet meer in een kopie die je later van ons krijgt.'),
    'Wij schermen dit af. Het blijft in het dossier, maar wij gebruiken het niet meer en geven het aan niemand. In een kopie die u later krijgt, staat op die plek alleen: afgeschermd.': N_('Wij schermen dit af. Het blijft in het dossier, maar wij gebruiken het niet meer en geven het aan niemand. In een kopie die je later krijgt, staat op die plek alleen: afgeschermd.'),
    'Wij gaven een deel van deze gegevens eerder aan een andere organisatie. Wij laten die organisatie weten wat wij hebben aangepast (artikel 19 AVG). Wilt u weten welke organisatie dat is? Vraag het ons.': N_('Wij gaven een deel van deze gegevens eerder aan een andere organisatie. Wij laten die organisatie weten wat wij hebben aangepast (artikel 19 AVG). Wil je weten welke organisatie dat is? Vraag het ons.'),
    'Wij gaven een deel van deze gegevens eerder aan een andere organisatie. Wij laten die organisatie weten dat de gegevens gewist zijn (artikel 19 AVG). Wilt u weten welke organisatie dat is? Vraag het ons.': N_('Wij gaven een deel van deze gegevens eerder aan een andere organisatie. Wij laten die organisatie weten dat de gegevens gewist zijn (artikel 19 AVG). Wil je weten welke organisatie dat is? Vraag het ons.'),
    'Wij gaven een deel van deze gegevens eerder aan een andere organisatie. Wij laten die organisatie weten dat de gegevens vernietigd zijn (artikel 19 AVG). Wilt u weten welke organisatie dat is? Vraag het ons.': N_('Wij gaven een deel van deze gegevens eerder aan een andere organisatie. Wij laten die organisatie weten dat de gegevens vernietigd zijn (artikel 19 AVG). Wil je weten welke organisatie dat is? Vraag het ons.'),
    'Bent u het niet eens met een mening of oordeel?': N_('Ben je het niet eens met een mening of oordeel?'),
    'In het dossier staan ook meningen en oordelen van Veilig Thuis. Dat zijn geen feiten. Daarom passen wij ze niet aan als u het er niet mee eens bent.': N_('In het dossier staan ook meningen en oordelen van Veilig Thuis. Dat zijn geen feiten. Daarom passen wij ze niet aan als je het er niet mee eens bent.'),
    'U kunt wel een eigen verklaring geven (artikel 16 van het Privacyreglement Veilig Thuis). Daarin schrijft u wat u ervan vindt. Wij voegen uw verklaring toe aan het dossier. Uw verklaring staat dan helemaal in elke kopie die u later van ons krijgt.': N_('Je kunt wel een eigen verklaring geven (artikel 16 van het Privacyreglement Veilig Thuis). Daarin schrijf je wat je ervan vindt. Wij voegen je verklaring toe aan het dossier. Je verklaring staat dan helemaal in elke kopie die je later van ons krijgt.'),
    'Wilt u dat? Vraag een eigen verklaring aan op onze website, of bel ons. Noem dan het kenmerk van deze brief.': N_('Wil je dat? Vraag een eigen verklaring aan op onze website, of bel ons. Noem dan het kenmerk van deze brief.'),
    'Wij hebben uw eigen verklaring toegevoegd aan het dossier (artikel 16).': N_('Wij hebben je eigen verklaring toegevoegd aan het dossier (artikel 16).'),
    'Uw verklaring hoort bij deze stukken uit het dossier:': N_('Je verklaring hoort bij deze stukken uit het dossier:'),
    'Ook de PDF die u stuurde, hoort bij uw verklaring in het dossier.': N_('Ook de PDF die je stuurde, hoort bij je verklaring in het dossier.'),
    'Wij voegen uw eigen verklaring toe aan het dossier (artikel 16).': N_('Wij voegen je eigen verklaring toe aan het dossier (artikel 16).'),
    'Uw verklaring staat in elke kopie van uw gegevens die u later van ons krijgt. Wij laten de hele tekst zien en zetten erbij dat het uw eigen verklaring is.': N_('Je verklaring staat in elke kopie van je gegevens die je later van ons krijgt. Wij laten de hele tekst zien en zetten erbij dat het je eigen verklaring is.'),
    'Wij veranderen niets aan de andere stukken in het dossier. Denkt u dat er feiten in staan die niet kloppen? Dan kunt u vragen om correctie (artikel 15).': N_('Wij veranderen niets aan de andere stukken in het dossier. Denk je dat er feiten in staan die niet kloppen? Dan kun je vragen om correctie (artikel 15).'),
    'Uw redenen en ons oordeel (artikel 18 lid 2)': N_('Jouw redenen en ons oordeel (artikel 18 lid 2)'),
    'door u genoemd': N_('door jou genoemd'),
    'Wij wissen de gegevens zo snel mogelijk. Staat u in een stuk dat ook over iemand anders gaat? Dan blijft dat stuk voor die ander bewaard. Wij halen er uw naam en uw andere gegevens uit.': N_('Wij wissen de gegevens zo snel mogelijk. Sta je in een stuk dat ook over iemand anders gaat? Dan blijft dat stuk voor die ander bewaard. Wij halen er je naam en je andere gegevens uit.'),
    'Als het klaar is, ziet u dat op de website waar u uw verzoek volgt.': N_('Als het klaar is, zie je dat op de website waar je je verzoek volgt.'),
    'Ons onderzoek heeft laten zien dat de melding niet klopte. Dan moeten wij de gegevens vernietigen als u daarom vraagt (artikel 17 lid 3).': N_('Ons onderzoek heeft laten zien dat de melding niet klopte. Dan moeten wij de gegevens vernietigen als je daarom vraagt (artikel 17 lid 3).'),
    'Wij vernietigen de gegevens uiterlijk op %(date)s. Dat is binnen drie maanden nadat wij uw verzoek kregen (artikel 17 lid 4).': N_('Wij vernietigen de gegevens uiterlijk op %(date)s. Dat is binnen drie maanden nadat wij je verzoek kregen (artikel 17 lid 4).'),
    'Vernietigen gebeurt door een bedrijf dat daarvoor gecertificeerd is, of door de gegevens anoniem te maken. Dan kan niemand ze nog met u in verband brengen (artikel 9 lid 3).': N_('Vernietigen gebeurt door een bedrijf dat daarvoor gecertificeerd is, of door de gegevens anoniem te maken. Dan kan niemand ze nog met jou in verband brengen (artikel 9 lid 3).'),
    'Staat u in een stuk dat ook over iemand anders gaat? Dan blijft dat stuk voor die ander bewaard. Wij halen er uw naam en uw andere gegevens uit.': N_('Sta je in een stuk dat ook over iemand anders gaat? Dan blijft dat stuk voor die ander bewaard. Wij halen er je naam en je andere gegevens uit.'),
    'Wij bewaren de gegevens. Wij mogen dat alleen als het bewaren van aanmerkelijk belang is voor iemand anders dan u (artikel 17 lid 4). Wij hebben uw belang en het belang van die ander tegen elkaar afgewogen. Hierboven staat waarom.': N_('Wij bewaren de gegevens. Wij mogen dat alleen als het bewaren van aanmerkelijk belang is voor iemand anders dan jij (artikel 17 lid 4). Wij hebben jouw belang en het belang van die ander tegen elkaar afgewogen. Hierboven staat waarom.'),
    'U heeft ons gevraagd om een afschrift. Een afschrift is een kopie van de gegevens die Veilig Thuis over u heeft. Dit recht staat in artikel 14 van het Privacyreglement Veilig Thuis.': N_('Je hebt ons gevraagd om een afschrift. Een afschrift is een kopie van de gegevens die Veilig Thuis over jou heeft. Dit recht staat in artikel 14 van het Privacyreglement Veilig Thuis.'),
    'U deed dit verzoek namens of over %(name)s. Daarom staan in dit afschrift de gegevens over %(name)s.': N_('Je deed dit verzoek namens of over %(name)s. Daarom staan in dit afschrift de gegevens over %(name)s.'),
    'Wij kregen uw verzoek op %(date)s. Het kenmerk van uw verzoek is %(reference)s.': N_('Wij kregen je verzoek op %(date)s. Het kenmerk van je verzoek is %(reference)s.'),
    'Heeft u een eigen verklaring gegeven (artikel 16)? Dan staat die er helemaal in. Boven die tekst staat: „Uw eigen verklaring”.': N_('Heb je een eigen verklaring gegeven (artikel 16)? Dan staat die er helemaal in. Boven die tekst staat: „Je eigen verklaring”.'),
    'Veilig Thuis kreeg een melding over uw gezin. Wij hebben daarna onderzoek gedaan.': N_('Veilig Thuis kreeg een melding over je gezin. Wij hebben daarna onderzoek gedaan.'),
    'U mag ons vragen uw gegevens te vernietigen': N_('Je mag ons vragen je gegevens te vernietigen'),
    'Wij hebben een dossier over uw gezin. Daarin staan ook gegevens over u. Omdat de melding niet klopte, mag u ons vragen om de gegevens over u te vernietigen. Wij moeten dat dan doen (artikel 17 lid 3 van het Privacyreglement Veilig Thuis).': N_('Wij hebben een dossier over je gezin. Daarin staan ook gegevens over jou. Omdat de melding niet klopte, mag je ons vragen om de gegevens over jou te vernietigen. Wij moeten dat dan doen (artikel 17 lid 3 van het Privacyreglement Veilig Thuis).'),
    'Wij vernietigen de gegevens binnen drie maanden nadat wij uw verzoek hebben gekregen (artikel 17 lid 4). Staat u in een stuk dat ook over iemand anders gaat? Dan blijft dat stuk voor die ander bewaard. Wij halen er uw naam en uw andere gegevens uit.': N_('Wij vernietigen de gegevens binnen drie maanden nadat wij je verzoek hebben gekregen (artikel 17 lid 4). Sta je in een stuk dat ook over iemand anders gaat? Dan blijft dat stuk voor die ander bewaard. Wij halen er je naam en je andere gegevens uit.'),
    'Hoe vraagt u dit?': N_('Hoe vraag je dit?'),
    'Wij vragen u te laten zien wie u bent. Zo weten wij zeker dat wij niemand anders uw gegevens laten vernietigen.': N_('Wij vragen je te laten zien wie je bent. Zo weten wij zeker dat wij niemand anders jouw gegevens laten vernietigen.'),
    'Vraagt u niets?': N_('Vraag je niets?'),
    'Uw andere rechten': N_('Je andere rechten'),
    'U mag de gegevens over u ook inzien of een kopie krijgen. U mag vragen om fouten te verbeteren, of uw eigen verklaring toe te voegen. Meer hierover staat op onze website.': N_('Je mag de gegevens over jou ook inzien of een kopie krijgen. Je mag vragen om fouten te verbeteren, of je eigen verklaring toe te voegen. Meer hierover staat op onze website.'),
    # Texts the system stores as messages for the status page (see STORED below).
    'We hebben meer tijd nodig voor uw verzoek: %(right)s. U krijgt uiterlijk op %(date)s antwoord.': N_('We hebben meer tijd nodig voor je verzoek: %(right)s. Je krijgt uiterlijk op %(date)s antwoord.'),
    'Wij hebben uw afschrift ingetrokken. Er zijn gegevens uit het dossier vernietigd of gewist. Daardoor klopt het afschrift niet meer, en u kunt het niet meer downloaden. Wilt u een nieuw afschrift? Neem dan contact met ons op.': N_('Wij hebben je afschrift ingetrokken. Er zijn gegevens uit het dossier vernietigd of gewist. Daardoor klopt het afschrift niet meer, en je kunt het niet meer downloaden. Wil je een nieuw afschrift? Neem dan contact met ons op.'),
    'Wij hebben uw verzoek om vernietiging uitgevoerd. De gegevens zijn op %(date)s anoniem gemaakt. Niemand kan ze nog met u in verband brengen.': N_('Wij hebben je verzoek om vernietiging uitgevoerd. De gegevens zijn op %(date)s anoniem gemaakt. Niemand kan ze nog met jou in verband brengen.'),
    'Wij hebben uw verzoek om vernietiging uitgevoerd. De gegevens zijn op %(date)s vernietigd.': N_('Wij hebben je verzoek om vernietiging uitgevoerd. De gegevens zijn op %(date)s vernietigd.'),
    'Wij hebben uw verzoek om gegevenswissing uitgevoerd. De gegevens zijn op %(date)s gewist.': N_('Wij hebben je verzoek om gegevenswissing uitgevoerd. De gegevens zijn op %(date)s gewist.'),
    # Following your requests with DigiD (issue 11, item 5).
    'Uw verzoeken': N_('Je verzoeken'),
    'U bent ingelogd met DigiD. Hier staan de verzoeken die u zelf met DigiD heeft verstuurd.': N_('Je bent ingelogd met DigiD. Hier staan de verzoeken die je zelf met DigiD hebt verstuurd.'),
    'Wij vinden geen verzoek dat u met DigiD heeft verstuurd.': N_('Wij vinden geen verzoek dat je met DigiD hebt verstuurd.'),
    'Deed u mee aan een verzoek van iemand anders, of verstuurde u het zonder DigiD? Gebruik dan uw wachtzin of een link per e-mail.': N_('Deed je mee aan een verzoek van iemand anders, of verstuurde je het zonder DigiD? Gebruik dan je wachtzin of een link per e-mail.'),
    'Naar de andere manieren om uw verzoek te volgen': N_('Naar de andere manieren om je verzoek te volgen'),
    'Dit verzoek kunt u met DigiD niet bekijken. Kies een verzoek uit de lijst.': N_('Dit verzoek kun je met DigiD niet bekijken. Kies een verzoek uit de lijst.'),
    'Terug naar uw verzoeken': N_('Terug naar je verzoeken'),
    'U bent uitgelogd': N_('Je bent uitgelogd'),
    'Bij DigiD bent u misschien nog ingelogd in deze browser. Log daar ook uit, zeker op een computer of telefoon die u met anderen deelt.': N_('Bij DigiD ben je misschien nog ingelogd in deze browser. Log daar ook uit, zeker op een computer of telefoon die je met anderen deelt.'),
    'U bent uitgelogd bij Veilig Thuis. Bij DigiD bent u misschien nog ingelogd in deze browser. Log daar ook uit, zeker op een computer of telefoon die u met anderen deelt.': N_('Je bent uitgelogd bij Veilig Thuis. Bij DigiD ben je misschien nog ingelogd in deze browser. Log daar ook uit, zeker op een computer of telefoon die je met anderen deelt.'),
}


#: The texts the system itself stores as a message on the status page (services/casefile
#: .extend, services/destruction/execution). A message is stored once, in the request's
#: language, for everyone who reads the request (in a joint request a parent and a child
#: read the same message), so the form is chosen when the page is shown: a young reader
#: sees the "je" form of a stored Dutch text that is one of these (with its values, and
#: anything the caseworker added after it, such as the reasons for an extension).
#: Messages typed by staff are shown as typed; English says "you" either way.
STORED: tuple[str, ...] = (
    'We hebben meer tijd nodig voor uw verzoek: %(right)s. U krijgt uiterlijk op %(date)s antwoord.',
    'Wij hebben uw afschrift ingetrokken. Er zijn gegevens uit het dossier vernietigd of gewist. Daardoor klopt het afschrift niet meer, en u kunt het niet meer downloaden. Wilt u een nieuw afschrift? Neem dan contact met ons op.',
    'Wij hebben uw verzoek om vernietiging uitgevoerd. De gegevens zijn op %(date)s anoniem gemaakt. Niemand kan ze nog met u in verband brengen.',
    'Wij hebben uw verzoek om vernietiging uitgevoerd. De gegevens zijn op %(date)s vernietigd.',
    'Wij hebben uw verzoek om gegevenswissing uitgevoerd. De gegevens zijn op %(date)s gewist.',
)


def _pattern(msgid: str) -> re.Pattern:
    """The stored Dutch text of a message id (the Dutch catalogue says the id itself), its
    values as named groups."""
    pieces = re.split(r"%\((\w+)\)s", msgid)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(pieces)), re.S)


STORED_PATTERNS = tuple((msgid, _pattern(msgid)) for msgid in STORED)


def stored_message(body: str) -> str:
    """A message the system stored, as the person reading now reads it: the "je" form
    for a young reader when it begins with one of the STORED texts, else as stored."""
    if not body or not young_now():
        return body
    for msgid, pattern in STORED_PATTERNS:
        found = pattern.match(body)
        if found:
            return YOUNG[msgid] % found.groupdict() + body[found.end():]
    return body


@contextmanager
def reading(young: bool) -> Iterator[None]:
    """Render for a young reader ("je") or an adult ("u") outside a page: a letter or
    an e-mail, whose reader is its addressee, not whoever makes it (a team leader
    signing, the worker). Needs an app context."""
    before = g.get("young")
    g.young = young
    try:
        yield
    finally:
        g.young = before


def young_now() -> bool:
    return bool(has_app_context() and g.get("young"))


def msgid_for(msgid: str) -> str:
    """The message id to translate for whoever reads now."""
    return YOUNG.get(msgid, msgid) if young_now() else msgid


def je(text):
    """A text made elsewhere (a form label, an error, a status name), in the "je" form
    when a young person reads. Lazy texts are looked up by their message id, plain
    ones by their (Dutch) words; in English both forms are the same."""
    if not young_now() or text is None:
        return text
    if isinstance(text, LazyString):
        key = text._args[0] if text._args else ""
        if key in YOUNG:
            return get_translations().ugettext(YOUNG[key]) % text._kwargs if text._kwargs else \
                get_translations().ugettext(YOUNG[key])
        return text
    key = str(text)
    return get_translations().ugettext(YOUNG[key]) if key in YOUNG else text


def register(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: get_translations().ugettext(msgid_for(s)),
        ngettext=lambda s, p, n: get_translations().ungettext(msgid_for(s), msgid_for(p), n),
        newstyle=True,
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: get_translations().unpgettext(c, s, p, n),
    )
    app.add_template_filter(je, "je")
    app.add_template_filter(stored_message, "stored_message")
