"""The follow-up register (*ärenderegister*): each remark followed until its owner has acted."""
