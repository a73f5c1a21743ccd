"""The procedure studio: provincial staff build a procedure's online form as revisions
(draft → published → superseded), check it before publishing, and see how ready each
procedure is at each receiving unit. The published revision drives the same submission
path as the typed ``FormField`` rows (``services.eform`` dispatches to it), and every
dossier keeps the revision it was submitted under."""
