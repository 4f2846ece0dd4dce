package settings

// The journal actions of settings and domains.
const (
	ActionChanged       = "settings.changed"
	ActionCancelled     = "settings.cancelled"
	ActionApplied       = "settings.applied"
	ActionDomainAsked   = "domain.requested"
	ActionDomainOpened  = "domain.opened"
	ActionDomainRefused = "domain.refused"
)

// mailChangeScheduled: account, field label, API code, new value (masked
// for a token), effective time.
const mailChangeScheduled = `Bonjour,

Un paramètre du compte API %s a été modifié.

Paramètre : %s (%s)
Nouvelle valeur : %s
Prise en compte : au plus tard le %s (heure de Paris)

La douane peut appliquer la nouvelle valeur à tout moment d’ici cette heure limite : vos systèmes doivent l’accepter dès maintenant, et continuer d’accepter la valeur précédente tant qu’elle peut encore être utilisée.

Ce message est envoyé par la console d’émulation Correspondant Entreprise, qui n’est pas le portail officiel de la douane.
`

// mailChangeApplied: account, field label, API code, value (masked for a
// token), effective time.
const mailChangeApplied = `Bonjour,

La modification d’un paramètre du compte API %s est désormais prise en compte par les systèmes de la douane.

Paramètre : %s (%s)
Valeur en vigueur : %s
Depuis le : %s (heure de Paris)

Ce message est envoyé par la console d’émulation Correspondant Entreprise, qui n’est pas le portail officiel de la douane.
`

// mailDomainRequested: domain, API label, company, SIREN, account.
const mailDomainRequested = `Bonjour,

L’entreprise %[3]s (SIREN %[4]s) demande l’ouverture du domaine %[1]s sur le réseau de la douane pour l’API %[2]s.

Ce domaine héberge l’adresse de rappel du compte API %[5]s. Tant qu’il n’est pas ouvert, la douane ne peut pas appeler les services de l’entreprise.

Ce message est envoyé par la console d’émulation Correspondant Entreprise, qui n’est pas le portail officiel de la douane.
`

// mailDomainDecided: domain, API label, decision sentence.
const mailDomainDecided = `Bonjour,

Le service des douanes a statué sur la demande d’ouverture du domaine %s pour l’API %s.

%s

Ce message est envoyé par la console d’émulation Correspondant Entreprise, qui n’est pas le portail officiel de la douane.
`

// mailChangeCancelled: account, field label, API code, cancelled value
// (masked for a token), value in force.
const mailChangeCancelled = `Bonjour,

La modification en attente d’un paramètre du compte API %s a été annulée : elle ne sera pas appliquée.

Paramètre : %s (%s)
Valeur annulée : %s
Valeur en vigueur : %s

Ce message est envoyé par la console d’émulation Correspondant Entreprise, qui n’est pas le portail officiel de la douane.
`
