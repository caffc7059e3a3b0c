"""The service layer: one function per thing a person does, one transaction each."""
