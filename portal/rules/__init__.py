"""The rules layer: pure functions of the Privacyreglement Veilig Thuis (2018), the AVG
and the Algemene termijnenwet. No Flask, no database; stdlib, ``holidays`` and
``python-dateutil`` only, so every rule can be tested on its own.

- ``rights``: the six rights and their articles (art. 14-18)
- ``eligibility``: who may exercise a right (art. 20)
- ``deadlines``: when an answer is due (art. 15, 17, 18; AVG 12(3); Atw art. 1 and 3)
- ``status``: the life of a request
"""
