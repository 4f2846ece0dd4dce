-- The shipped API catalog of the new customs EDI. Contact addresses use the
-- reserved .test domain so that a training room with SMTP configured never
-- mails a real service desk.

INSERT INTO apis (code, label, description, contact_email, position) VALUES
    ('DELTAH7', 'DeltaH7',
     'Déclarations d’importation des envois de faible valeur issus du commerce électronique (déclaration H7).',
     'deltah7@douane-emulation.test', 1),
    ('DELTAIE', 'Delta IE',
     'Dédouanement à l’importation et à l’exportation : dépôt et suivi des déclarations.',
     'delta-ie@douane-emulation.test', 2),
    ('GAMMA2', 'Gamma 2',
     'Circulation des produits soumis à accises : documents d’accompagnement électroniques simplifiés (DAES).',
     'gamma2@douane-emulation.test', 3),
    ('PNTS', 'PNTS',
     'Service d’échange sans rappel vers l’entreprise : aucun paramétrage n’est demandé une fois le compte habilité.',
     'pnts@douane-emulation.test', 4);

INSERT INTO api_settings_fields (api_code, key, label, kind, required, propagation_delay_seconds, position)
SELECT code, 'url', 'Adresse de base des services de rappel', 'url', 1, 4 * 3600, 1
FROM apis WHERE code IN ('DELTAH7', 'DELTAIE', 'GAMMA2');

INSERT INTO api_settings_fields (api_code, key, label, kind, required, propagation_delay_seconds, position)
SELECT code, 'token', 'Jeton d’authentification présenté par la douane', 'token', 1, 15 * 60, 2
FROM apis WHERE code IN ('DELTAH7', 'DELTAIE', 'GAMMA2');
