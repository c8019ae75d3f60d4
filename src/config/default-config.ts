/**
 * The shipped `config.yaml`, embedded so `npx cbbd-gap-bot` and `npm run demo` work without one on disk.
 * test/config/config.test.ts fails when this and the file drift apart.
 */
export const DEFAULT_CONFIG_YAML = `bucket: hoops-edge
region: us-east-1
api:
  base_url: https://api.collegebasketballdata.com
  timeout_seconds: 60
  max_concurrency: 3
  rate_limit_per_sec: 3
  log_every_requests: 100
  games_chunk_days: 30
  lines_chunk_days: 30
  retry:
    max_attempts: 5
    base_delay_seconds: 0.5
    max_delay_seconds: 8
  rolling_window_days: 7
  quota_reserve: 50  # cbbd-gap-bot: monthly calls a fill leaves untouched
seasons:
  start: 2010
  end: 2026
  window_start_month: 8
  window_start_day: 1
  window_end_month: 7
  window_end_day: 31
endpoints:
  conferences:
    path: /conferences
    type: snapshot
  conferences_history:
    path: /conferences/history
    type: snapshot
  draft_picks:
    path: /draft/picks
    type: season
    season_param: season
  draft_positions:
    path: /draft/positions
    type: snapshot
  draft_teams:
    path: /draft/teams
    type: snapshot
  games:
    path: /games
    type: season
    season_param: season
    start_date_param: startDateRange
    end_date_param: endDateRange
  games_media:
    path: /games/media
    type: season
    season_param: season
    start_date_param: startDateRange
    end_date_param: endDateRange
  games_players:
    path: /games/players
    type: season
    season_param: season
    start_date_param: startDateRange
    end_date_param: endDateRange
  games_teams:
    path: /games/teams
    type: season
    season_param: season
    start_date_param: startDateRange
    end_date_param: endDateRange
  lines:
    path: /lines
    type: season
    season_param: season
    start_date_param: startDateRange
    end_date_param: endDateRange
  lines_providers:
    path: /lines/providers
    type: snapshot
  lineups_game:
    path: /lineups/game/{gameId}
    type: game_fanout
    required_params:
    - gameId
  lineups_team:
    path: /lineups/team
    type: season
    season_param: season
    required_params:
    - season
    - team
  plays_types:
    path: /plays/types
    type: snapshot
  plays_game:
    path: /plays/game/{gameId}
    type: game_fanout
    required_params:
    - gameId
  plays_date:
    path: /plays/date
    type: date
    date_param: date
    required_params:
    - date
  plays_player:
    path: /plays/player/{playerId}
    type: player_fanout
    required_params:
    - playerId
    - season
  plays_team:
    path: /plays/team
    type: season
    season_param: season
    required_params:
    - season
    - team
  plays_tournament:
    path: /plays/tournament
    type: season
    season_param: season
    required_params:
    - season
    - tournament
  substitutions_game:
    path: /substitutions/game/{gameId}
    type: game_fanout
    required_params:
    - gameId
  substitutions_player:
    path: /substitutions/player/{playerId}
    type: player_fanout
    required_params:
    - playerId
    - season
  substitutions_team:
    path: /substitutions/team
    type: season
    season_param: season
    required_params:
    - season
    - team
  rankings:
    path: /rankings
    type: season
    season_param: season
  ratings_adjusted:
    path: /ratings/adjusted
    type: snapshot
  ratings_srs:
    path: /ratings/srs
    type: snapshot
  recruiting_players:
    path: /recruiting/players
    type: season
    season_param: season
  stats_player_shooting_season:
    path: /stats/player/shooting/season
    type: season
    season_param: season
    required_params:
    - season
    required_any:
    - - team
      - conference
  stats_player_season:
    path: /stats/player/season
    type: season
    season_param: season
    required_params:
    - season
  stats_team_shooting_season:
    path: /stats/team/shooting/season
    type: season
    season_param: season
    required_params:
    - season
    required_any:
    - - team
      - conference
  stats_team_season:
    path: /stats/team/season
    type: season
    season_param: season
    required_params:
    - season
  teams:
    path: /teams
    type: snapshot
  teams_roster:
    path: /teams/roster
    type: season
    season_param: season
    required_params:
    - season
  venues:
    path: /venues
    type: snapshot
s3_layout:
  raw_prefix: raw
  bronze_prefix: bronze
  silver_prefix: silver
  gold_prefix: gold
  ref_prefix: ref
  meta_prefix: meta
  deadletter_prefix: deadletter
  tmp_prefix: tmp
  athena_prefix: athena
validate:
  strict_schema: false
gold:
  glue_database: cbbd_gold
  adjusted_efficiencies:
    half_life: null
    hca_oe: 4.0266
    hca_de: 4.0266
    barthag_exp: 11.5
    margin_cap: null
    preseason_regression: null
    sos_exponent: 0.85
    shrinkage: 0.0
  tables:
  - team_power_rankings
  - game_predictions_features
  - player_season_impact
  - market_lines_analysis
  - team_season_summary
  - team_adjusted_efficiencies
  - team_adjusted_efficiencies_no_garbage
gap_fill:
  athena_database: cbbd_silver
  athena_workgroup: cbbd
  athena_output: s3://hoops-edge/athena/
  max_concurrency: 5
  resume_dir: .gap_fill_resume
skip_endpoints:
  - plays_player
  - substitutions_player

# ---------------------------------------------------------------------------------------------------------------
# cbbd-gap-bot's own sections. Everything above is the cbbd_etl pipeline's config.yaml, unchanged; the pipeline
# ignores what follows. See docs/configuration.md for every key.
# ---------------------------------------------------------------------------------------------------------------
audit:
  # Silver tables and the columns that identify a row. parent + endpoint make a table's coverage against
  # fct_games fillable; first_season is the first season the API has data (earlier seasons are not gaps).
  # Dotted key names reach into a nested column (subIn.period). Column names match case-insensitively, as the
  # pipeline lowercases some (fct_lineups: idhash, teamid). The bot knows the tables below without this
  # section (they are its built-in defaults); a table here adds to them, or overrides the fields it sets.
  tables:
    dim_teams: { key: [teamId] }
    dim_conferences: { key: [id] }
    dim_venues: { key: [id] }
    dim_lines_providers: { key: [id] }
    dim_play_types: { key: [id] }
    fct_games: { key: [gameId] }
    fct_game_media: { key: [gameId] }
    fct_lines: { key: [gameId, provider] }
    fct_game_teams: { key: [gameId, teamId] }
    fct_game_players: { key: [gameId, teamId] }
    fct_plays: { key: [id], parent: fct_games, endpoint: plays_game }
    fct_substitutions:
      key: [gameId, athleteId, subIn.period, subIn.secondsRemaining]
      parent: fct_games
      endpoint: substitutions_game
      first_season: 2024
    fct_lineups: { key: [gameId, idHash, teamId], parent: fct_games, endpoint: lineups_game, first_season: 2024 }
    fct_rankings: { key: [season, pollDate, pollType, teamId] }
    fct_ratings_adjusted: { key: [teamId, season] }
    fct_ratings_srs: { key: [teamId, season] }
    fct_team_season_stats: { key: [teamId, season] }
    fct_team_season_shooting: { key: [teamId, season] }
    fct_player_season_stats: { key: [playerId, season] }
    fct_player_season_shooting: { key: [playerId, season] }
    fct_recruiting_players: { key: [playerId, season] }
    fct_draft_picks: { key: [id] }
  thresholds:
    duplicate_fail_pct: 5        # FAIL above this share of duplicate rows, WARN below (the pipeline's rule)
    volume_anomaly_ratio: 0.5    # a season under half its neighbours' mean is an anomaly (the pipeline's rule)
    null_columns_shown: 10
  canonical_layout: season/date  # what repair --normalize writes season=/asof= partitions into
  read_concurrency: 32
  full_every_days: 7             # a full audit (every file read) at least this often; nights between read what changed
catalog:
  bronze_database: cbbd_bronze   # silver_database defaults to gap_fill.athena_database
checkpoints:
  table: cbbd_checkpoints
  lease_seconds: 60
github:
  gap_label: data-gap
  fill_label: fill
  report_path: reports
  report_branch: cbbd-gap-bot/audit
  max_issues_per_run: 20
`;
