"""After-action reviews: the protected, non-punitive learning review (PRODUCT.md, non-negotiable 1).

Nothing outside this app imports it (a test checks), and every foreign key out of it has no
reverse accessor (``related_name="+"``), so no other app can reach an AAR through the ORM.
"""
