DROP TABLE review_awards;
DROP TABLE review_resolutions;
DROP TABLE review_task_owners;
DROP TABLE review_focus_tasks;
DROP TABLE review_attendees;
DROP TABLE reviews;
