-- The benchmark's job (rules.example.yaml) written by hand for DuckDB, as a skilled analyst would:
-- typed reads straight from the files, one GROUP BY over the activities, a join, a CASE for the stage,
-- COPY to CSV. No staging tables. scripts/bench-duckdb-hand.mjs fills in {contacts} {activities} {out} {as_of}.
-- Its stages equal funnel's on generated exports (test/bench-hand.test.ts); it writes no reason text.
COPY (
  WITH acts AS (
    SELECT lower(trim("Email")) AS k,
      CASE lower(trim("Activity Type"))
        WHEN 'page view' THEN 'page_view' WHEN 'website visit' THEN 'page_view' WHEN 'visit' THEN 'page_view'
        WHEN 'email open' THEN 'email_open' WHEN 'email opened' THEN 'email_open' WHEN 'marketing email opened' THEN 'email_open'
        WHEN 'email click' THEN 'email_click' WHEN 'email clicked' THEN 'email_click' WHEN 'marketing email clicked' THEN 'email_click'
        WHEN 'form submission' THEN 'form_submit' WHEN 'form submitted' THEN 'form_submit' WHEN 'contact form' THEN 'form_submit'
        WHEN 'newsletter signup' THEN 'newsletter_signup' WHEN 'newsletter subscription' THEN 'newsletter_signup' WHEN 'subscribed' THEN 'newsletter_signup'
        WHEN 'e-book download' THEN 'content_download' WHEN 'white paper download' THEN 'content_download'
        WHEN 'content download' THEN 'content_download' WHEN 'case study download' THEN 'content_download'
        WHEN 'webinar attended' THEN 'webinar_attended' WHEN 'webinar attendance' THEN 'webinar_attended' WHEN 'event attended' THEN 'webinar_attended'
        WHEN 'email reply' THEN 'email_reply' WHEN 'replied to email' THEN 'email_reply'
        WHEN 'call' THEN 'call' WHEN 'phone call' THEN 'call' WHEN 'call logged' THEN 'call'
        WHEN 'meeting' THEN 'meeting' WHEN 'meeting booked' THEN 'meeting' WHEN 'meeting held' THEN 'meeting'
        WHEN 'demo request' THEN 'demo_request' WHEN 'demo requested' THEN 'demo_request'
        WHEN 'quote sent' THEN 'quote_sent' WHEN 'quote' THEN 'quote_sent' WHEN 'proposal sent' THEN 'quote_sent'
        WHEN 'purchase' THEN 'purchase' WHEN 'order' THEN 'purchase' WHEN 'closed won' THEN 'purchase' WHEN 'deal won' THEN 'purchase'
        WHEN 'referral' THEN 'referral' WHEN 'referred a contact' THEN 'referral' WHEN 'review published' THEN 'referral'
        WHEN 'hard bounce' THEN 'hard_bounce' WHEN 'email bounce' THEN 'email_bounce'
        ELSE 'other'
      END AS s,
      "Activity Date" AS t
    FROM read_csv('{activities}', header = true, delim = ',', quote = '"', escape = '"',
                  columns = {'Email': 'VARCHAR', 'Activity Type': 'VARCHAR', 'Activity Date': 'TIMESTAMP', 'Campaign': 'VARCHAR'})
    WHERE "Activity Date" <= TIMESTAMP '{as_of}'
  ),
  agg AS (
    SELECT k,
      sum(CASE s WHEN 'page_view' THEN 1 WHEN 'email_open' THEN 2 WHEN 'email_click' THEN 4 WHEN 'form_submit' THEN 8
                 WHEN 'newsletter_signup' THEN 5 WHEN 'content_download' THEN 10 WHEN 'webinar_attended' THEN 15
                 WHEN 'email_reply' THEN 20 WHEN 'call' THEN 20 WHEN 'meeting' THEN 25 WHEN 'demo_request' THEN 30 ELSE 0 END
          * pow(0.5, epoch(TIMESTAMP '{as_of}' - t) / (30 * 86400))) AS score,
      count(*) FILTER (s IN ('form_submit', 'newsletter_signup')) AS lead_acts,
      count(*) FILTER (s IN ('content_download', 'webinar_attended') AND t >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY) AS mql_acts,
      count(*) FILTER (s IN ('email_reply', 'call', 'meeting', 'demo_request', 'quote_sent') AND t >= TIMESTAMP '{as_of}' - INTERVAL 180 DAY) AS sql_acts,
      count(*) FILTER (s = 'purchase') AS purchases,
      count(*) FILTER (s = 'referral') AS referrals,
      count(*) FILTER (s IN ('email_bounce', 'hard_bounce')) AS bounces
    FROM acts GROUP BY k
  ),
  c AS (
    SELECT *, lower(trim("Email")) AS k_, regexp_extract(lower(trim("Email")), '@([^@]*)$', 1) AS domain_,
      (CASE WHEN lower(trim("Industry")) IN ('software', 'saas', 'it services', 'information technology') THEN 20 ELSE 0 END
       + CASE WHEN TRY_CAST(regexp_replace("Number of Employees", '[ ,]', '', 'g') AS DOUBLE) >= 50 THEN 20 ELSE 0 END
       + CASE WHEN regexp_matches(lower(trim("Job Title")), '\b(head|director|vp|chief|c[eiot]o|manager|lead)\b') THEN 10 ELSE 0 END
       + CASE WHEN lower(trim("Country")) IN ('france', 'germany', 'belgium', 'switzerland', 'united kingdom', 'united states', 'canada') THEN 10 ELSE 0 END) AS fit_,
      coalesce(lower(trim("Email opt-in")) IN ('yes', 'true', '1', 'opted in', 'opt-in', 'subscribed', 'oui'), false) AS contactable_,
      lower(trim("Lifecycle Stage")) AS lifecycle_
    FROM read_csv('{contacts}', header = true, delim = ',', quote = '"', escape = '"', all_varchar = true)
  ),
  j AS (
    SELECT c.*, coalesce(a.score, 0) AS score_, coalesce(a.lead_acts, 0) AS lead_acts, coalesce(a.mql_acts, 0) AS mql_acts,
      coalesce(a.sql_acts, 0) AS sql_acts, coalesce(a.purchases, 0) AS purchases, coalesce(a.referrals, 0) AS referrals,
      coalesce(a.bounces, 0) AS bounces
    FROM c LEFT JOIN agg a ON a.k = c.k_
  ),
  staged AS (
    SELECT *,
      CASE
        WHEN domain_ IN ('rival.example', 'competitor.example') OR domain_ LIKE '%.rival.example' OR domain_ LIKE '%.competitor.example' THEN 'disqualified'
        WHEN regexp_matches(k_, '^(test|demo|noreply)[^@]*@') OR domain_ IN ('example.invalid', 'mailinator.com')
             OR domain_ LIKE '%.example.invalid' OR domain_ LIKE '%.mailinator.com' THEN 'disqualified'
        WHEN bounces > 0 THEN 'disqualified'
        WHEN (purchases > 0 OR lifecycle_ = 'customer') AND referrals > 0 THEN 'advocate'
        WHEN purchases > 0 OR lifecycle_ = 'customer' THEN 'customer'
        WHEN fit_ >= 30 AND sql_acts > 0 THEN 'sql'
        WHEN score_ >= 20 AND mql_acts > 0 THEN 'mql'
        WHEN lead_acts > 0 OR lifecycle_ IN ('lead', 'subscriber') THEN 'lead'
        ELSE 'suspect'
      END AS stage_
    FROM j
  )
  SELECT * EXCLUDE (k_, domain_, fit_, contactable_, lifecycle_, score_, lead_acts, mql_acts, sql_acts, purchases, referrals, bounces, stage_),
    stage_ AS funnel_stage,
    round(score_, 1) AS funnel_score,
    fit_ AS funnel_fit,
    CASE WHEN fit_ >= 30 THEN 'yes' ELSE 'no' END AS funnel_persona,
    CASE WHEN contactable_ THEN 'yes' ELSE 'no' END AS funnel_contactable,
    CASE stage_ WHEN 'suspect' THEN 'discovery' WHEN 'lead' THEN 'discovery' WHEN 'mql' THEN 'evaluation' WHEN 'sql' THEN 'decision'
                WHEN 'customer' THEN 'onboarding' WHEN 'advocate' THEN 'referral' ELSE 'none' END AS funnel_content,
    CASE WHEN stage_ = 'disqualified' THEN 'exclude'
         WHEN NOT contactable_ AND stage_ <> 'customer' THEN 'do not email — no consent'
         ELSE CASE stage_ WHEN 'suspect' THEN 'observe' WHEN 'lead' THEN 'nurture' WHEN 'mql' THEN 'nurture with evaluation content'
                          WHEN 'sql' THEN 'hand over to sales' WHEN 'customer' THEN 'onboard' ELSE 'invite to referral programme' END
    END AS funnel_action
  FROM staged
) TO '{out}' (HEADER, DELIMITER ',');
