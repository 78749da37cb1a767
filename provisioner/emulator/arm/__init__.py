"""The ARM contract shared by every resource provider: ids, responses, paging, authorization, async."""
