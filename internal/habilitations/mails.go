package habilitations

// The French bodies of the notifications. Each is a format string whose
// verbs are listed above it.

// mailRequestSubmitted: account identifier, SIRET, API labels, request id.
const mailRequestSubmitted = `Bonjour,

Une demande d’habilitation a été déposée pour le compte API %s (établissement SIRET %s).

API demandées : %s
Numéro de la demande : %d

Le service des douanes va l’instruire. Vous recevrez un courriel lorsqu’une décision aura été prise.

Ce message est envoyé par la console d’émulation Correspondant Entreprise, qui n’est pas le portail officiel de la douane.
`

// mailRequestDecided: request id, account identifier, state label, the
// decision lines, then mailSettingsNeeded or "".
const mailRequestDecided = `Bonjour,

Le service des douanes a statué sur la demande d’habilitation n° %d du compte API %s.

Résultat : %s

%s%s
Ce message est envoyé par la console d’émulation Correspondant Entreprise, qui n’est pas le portail officiel de la douane.
`

// mailHabilitationRevoked: API label, account identifier, reason.
const mailHabilitationRevoked = `Bonjour,

Le service des douanes a retiré l’habilitation à l’API %s du compte API %s.

Motif : %s

Les échanges de ce compte avec cette API ne sont plus autorisés. Pour être de nouveau habilité, déposez une nouvelle demande depuis la page du compte.

Ce message est envoyé par la console d’émulation Correspondant Entreprise, qui n’est pas le portail officiel de la douane.
`

// mailSettingsNeeded ends a decision that grants an API with settings.
const mailSettingsNeeded = `
Renseignez dès maintenant, dans la console, les paramètres des API accordées qui en demandent : le compte n’est prêt qu’une fois ces données saisies.
`
