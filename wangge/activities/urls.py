"""Joint activities and co-built projects for cadres, mounted at /console/activities/."""

from django.urls import path

from wangge.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/open", views.activity_open, name="open"),
    path("<int:pk>/cancel", views.activity_cancel, name="cancel"),
    path("<int:pk>/signup", views.activity_signup, name="signup"),
    path("<int:pk>/withdraw/<int:signup>", views.activity_withdraw, name="withdraw"),
    path("<int:pk>/attendance", views.activity_attendance, name="attendance"),
    path("volunteers/", views.volunteer_list, name="volunteers"),
    path("volunteers/register", views.volunteer_register, name="volunteer-register"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/partners", views.project_partner_add, name="project-partner"),
    path("projects/<int:pk>/milestones", views.project_milestone_add,
         name="project-milestone"),
    path("projects/<int:pk>/milestones/<int:milestone>", views.milestone_progress,
         name="milestone-progress"),
]
