"""The document pipeline: what comes in (uploads checked by their content) and what goes
out (letters and copies as PDF, the copy's document model, attachments redacted to
pixels, the optional deduce detector). It depends on the rules and the infrastructure,
never on the services or the faces."""
