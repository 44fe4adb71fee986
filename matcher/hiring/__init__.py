"""Hiring: employers' decisions on candidates and the contact requests they send workers.

`decisions` records outcome events (the labels retraining learns from) and reads them back;
`contact_requests` lists and answers the requests a "contacted" decision sends. Both take a
`Database`, so the web app, the API and the command line share one set of hiring rules.
"""
