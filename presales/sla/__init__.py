"""SLA timers, reminders, escalations and notifications (R-SLA-1..4, R-CUST-3, R-COMM-1).

calendar.py   working days (Chinese public holidays, make-up workdays, company days)
policies.py   timer kinds, default and active policies, the reminder/escalation schedule
defaults.py   the kinds of PROCESS.md with their defaults
services.py   timer_start / timer_satisfy / timer_cancel / timer_restart; admin services
notifications.py  notify() (once per key), read marks, preferences
sweep.py      the one periodic sweep: due timers, stranded deliveries
delivery.py   sending one delivery once (email, team chat robot)
selectors.py  reads for pages, API and badges
subjects.py   how the timers' records are fetched for labels (no query per timer)
wiring.py     the review engine's deadlines: approvers' step timers, the initiation's wait

See docs/timers.md for how a feature registers and drives its timer.
"""
