"""Microsoft Graph v1.0: users, groups and memberships, service principals, directory objects."""
