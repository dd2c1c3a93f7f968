"""Safety-walk protocols (*trygghetsvandringar*): one per walk, and one per owner to send on."""
