package accounts

// The French bodies of the account notifications. Each is a format string
// whose verbs are listed above it.

// mailEmailChanged: account identifier, old address, new address.
const mailEmailChanged = `Bonjour,

L’adresse électronique du compte API %s a été modifiée.

Ancienne adresse : %s
Nouvelle adresse : %s

Les avis de modification et d’incident de ce compte seront désormais envoyés à la nouvelle adresse. Si vous n’êtes pas à l’origine de ce changement, prévenez sans attendre le correspondant entreprise de votre établissement.

Ce message est envoyé par la console d’émulation Correspondant Entreprise, qui n’est pas le portail officiel de la douane.
`

// mailPasswordChanged: account identifier.
const mailPasswordChanged = `Bonjour,

Le mot de passe du compte API %s a été modifié. Le changement a pris effet immédiatement : tout système qui utilise encore l’ancien mot de passe ne peut plus s’authentifier.

Si vous n’êtes pas à l’origine de ce changement, prévenez sans attendre le correspondant entreprise de votre établissement.

Ce message est envoyé par la console d’émulation Correspondant Entreprise, qui n’est pas le portail officiel de la douane.
`

// mailAccountDeleted: account identifier, SIRET.
const mailAccountDeleted = `Bonjour,

Le compte API %s de l’établissement SIRET %s a été supprimé. Ses habilitations ont été retirées et ses demandes en cours annulées ; il ne peut plus échanger avec les services de la douane.

Un nouveau compte API peut être créé pour cet établissement.

Ce message est envoyé par la console d’émulation Correspondant Entreprise, qui n’est pas le portail officiel de la douane.
`
