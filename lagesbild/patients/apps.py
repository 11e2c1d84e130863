from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "lagesbild.patients"
    label = "patients"
    verbose_name = "Patientdata"
